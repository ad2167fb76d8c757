"""English texts of the delivery area: missed-call messages and delivery notices (HTML)."""

TEXTS: dict[str, str] = {
    "delivery.call.title": "📞 <b>Missed call</b>",
    "delivery.call.company": "Company: <b>{company}</b>",
    "delivery.call.caller": "Caller: <b>{caller}</b>",
    "delivery.call.caller_hidden": "Caller: <b>number hidden</b>",
    "delivery.call.callback": "Call back: {number}",
    "delivery.call.caller_name": "Name: {name}",
    "delivery.call.called": "Line: {line}",
    "delivery.call.group": "Group: {group}",
    "delivery.call.extensions": "Rang extensions: {extensions}",
    "delivery.call.time": "Rang at {time} ({zone})",
    "delivery.call.waited": "Waited: {duration}",
    "delivery.call.voicemail": "✉️ Voicemail left",
    # The zone after a time: Moscow-relative for Russian zones in Russian, else UTC±N.
    "delivery.zone.moscow": "MSK{offset}",
    "delivery.zone.utc": "UTC{offset}",
    "delivery.time_format": "%Y-%m-%d %H:%M:%S",
    "delivery.duration.seconds": "{s} s",
    "delivery.duration.minutes": "{m} min {s} s",
    "delivery.duration.hours": "{h} h {m} min",
    "delivery.hint": (
        "ℹ️ Your company has its own bot @{username}. To get notifications from it, open "
        "{link} and press Start."
    ),
    "delivery.group_new": (
        "🆕 The PBX reported a new group «{group}». Missed-call notifications for it are "
        "switched off; switch them on if you need them."
    ),
    "delivery.group_new_on": (
        "🆕 The PBX reported a new group «{group}». Missed-call notifications for it are "
        "switched on (the setting for new groups); switch them off if you do not need them."
    ),
    "delivery.bot_broken": (
        "⚠️ Telegram rejected the token of the bot @{username} («{name}»). The bot is switched "
        "off and notifications go through the default bot. Add the bot again with a new token "
        "in the Bots menu."
    ),
}
