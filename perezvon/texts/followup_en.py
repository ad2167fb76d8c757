"""English texts of the follow-up loop: the card's buttons, state lines and press answers."""

TEXTS: dict[str, str] = {
    "card.btn.claim": "I'll call back",
    "card.btn.done": "Called back",
    "card.btn.drop": "Give up",
    "card.time_format": "%H:%M",
    "card.repeat": "🔁 Called {count} times, last at {time}",
    "card.history": "📇 Called {calls} time(s) in 30 days{answered}{back}",
    "card.history.answered": "; last answered: {when}",
    "card.history.back": "; last called back: {when}",
    "card.date_format": "%m-%d %H:%M",
    "card.attempt": "📵 No answer at {time}",
    "card.attempts": "📵 No answer ({count} tries), last at {time}",
    "card.claimed": "🙋 Taken by: {name}, {time}",
    "card.called_back": "✅ Called back: {who}, {time}, after {after}",
    "card.talk": ", talked {talk}",
    "card.got_through": "✅ The caller got through at {time}",
    "card.manual": "✅ Called back: {who}, {time}",
    "card.expired": "⌛ Not called back within {hours} h",
    "card.escalated": "⚠️ <b>Nobody took this call for {minutes} min</b>",
    "card.remind": "⏰ You promised to call back: {caller}. Press «Called back» once you have.",
    "card.someone": "an employee",
    "card.ans.claimed": "You will call back. The card is updated for everyone.",
    "card.ans.done": "Marked as called back.",
    "card.ans.dropped": "You gave it up; the call is free again.",
    "card.ans.taken": "Already taken by {name}.",
    "card.ans.resolved": "This call is already handled.",
    "card.ans.gone": "This card is out of date.",
    "card.ans.not_claimed": "Nobody has taken this call.",
    "card.ans.forbidden": "Only the company's employees may act on this card.",
    # The admin menu's «Перезвон» screen.
    "admin.followup.button": "Call back",
    "admin.followup.title": (
        "Call back\n\nNobody took a call for (min) — tell the admins: {escalate}\n"
        "A call back counts within (h): {window}\n\n"
        "First row of buttons: the escalation delay; second: the callback window."
    ),
    "admin.followup.off": "off",
    "admin.followup.saved": "Saved.",
}
