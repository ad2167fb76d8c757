"""English texts of working hours, the digest, quiet hours and the silent-PBX alarm (HTML)."""

TEXTS: dict[str, str] = {
    "hours.card.off_hours": "🌙 Call outside working hours",
    "hours.digest.title": "🌅 <b>Missed calls outside working hours: {count}</b>",
    "hours.digest.line": "• {time} — <b>{caller}</b> — {group}",
    "hours.digest.hidden": "number hidden",
    "hours.digest.more": "…and {count} more",
    "hours.digest.time_format": "%m-%d %H:%M",
    "hours.quiet.set": (
        "🔕 Quiet hours: {window} ({zone}). Notifications arrive without a sound then."
    ),
    "hours.quiet.off": "🔔 Quiet hours are off: notifications arrive with a sound.",
    "hours.quiet.show": "🔕 Quiet hours: {window} ({zone}). To switch off: /quiet off",
    "hours.quiet.none": (
        "No quiet hours set. Example: /quiet 22:00-08:00 — notifications then arrive without "
        "a sound."
    ),
    "hours.quiet.bad": "I did not understand the time. Example: /quiet 22:00-08:00 or /quiet off",
    "hours.quiet.not_subscribed": "You are not subscribed to notifications yet.",
    "hours.quiet.help": (
        "/quiet 22:00-08:00 — quiet hours: notifications without a sound; /quiet off to end"
    ),
    "hours.quiet.group_admins_only": "Only the group's admins change its quiet hours.",
    "hours.quiet.command": "Quiet hours",
    "hours.menu.button": "🕘 Working hours",
    "hours.menu.summary": (
        "Working hours ({zone})\n{hours}\nDays off: {holidays}\n"
        "Outside working hours: {mode}\nSilent-PBX alarm: {silence}"
    ),
    "hours.menu.always": "around the clock",
    "hours.menu.none": "none",
    "hours.menu.silence_off": "off",
    "hours.menu.mode.notify": "notify as usual",
    "hours.menu.mode.quiet": "without a sound",
    "hours.menu.mode.digest": "a digest in the morning",
    "hours.menu.set_hours": "✏️ Hours",
    "hours.menu.ask_hours": (
        "Send the working hours, e.g. “Mon-Fri 09:00-18:00; Sat 10:00-14:00” "
        "(or “-” for around the clock). Days off may follow on a second line: "
        "“2027-01-01 2027-01-07”"
    ),
    "hours.menu.bad_hours": "I did not understand the hours: {error}",
    "hours.menu.saved": "Saved.",
    "hours.silent.alarm": (
        "⚠️ The PBX of «{company}» has sent no events for {duration}. Check its link to Perezvon."
    ),
    "hours.silent.back": "✅ Events from the PBX of «{company}» are flowing again.",
    "hours.ami.down": (
        "⚠️ The PBX {host} (AMI) has been unreachable for {duration}. Its missed calls do not "
        "arrive."
    ),
    "hours.ami.back": "✅ The link to the PBX {host} (AMI) is back.",
    "hours.menu.pbx_silent": "⚠️ PBX silent since {since}",
    "hours.menu.pbx_ok": "PBX: last event {since}",
    "hours.menu.pbx_never": "PBX: no events yet",
}
