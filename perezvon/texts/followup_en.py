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
    # «Позвонить» (AMI Originate) and /ext.
    "card.btn.call": "📞 Call",
    "card.ans.calling": "Ringing your phone {ext}. Pick it up and we connect you to the customer.",
    "card.ans.call_pending": "A call is already on its way: wait for your phone to ring.",
    "card.ans.no_ext": "Set your extension first: send /ext 102 to the bot in a private chat.",
    "card.ans.no_pbx": "This PBX cannot place calls from here: dial the number on the card.",
    "card.call.connecting": "📞 Phone {ext} answered: dialling {number}.",
    "card.call.no_answer": "📵 Phone {ext} did not answer. Press «Call» again when you are there.",
    "card.call.busy": "📵 Phone {ext} is busy. Try again shortly.",
    "card.call.failed": "⚠️ The PBX could not ring {ext}. Dial {number} by hand.",
    "card.call.unknown": (
        "⚠️ We do not know whether {number} was called: the PBX link dropped. Check phone {ext}."
    ),
    "card.call.late": "⌛ The call to {number} was not placed in time. Press «Call» again.",
    "ext.command": "Extension",
    "ext.help": "/ext 102 — your extension for the «Call» button; /ext off — clear it",
    "ext.show": "Your extension: {ext}.",
    "ext.none": "No extension set. Send /ext 102 so that «Call» rings your phone.",
    "ext.set": "Done: «Call» will ring your phone {ext}.",
    "ext.off": "Extension cleared.",
    "ext.bad": "An extension is 2 to 16 digits, e.g. /ext 102.",
    "ext.private_only": "Everyone has their own extension: send /ext to the bot in a private chat.",
    "ext.not_subscribed": "Subscribe to a company's notifications first.",
    "admin.users.ext": "Extension: {ext}",
    "admin.users.ext_none": "not set",
    "admin.users.ext_btn": "📞 Extension",
    "admin.users.ext_prompt": "Send the employee's extension (2–16 digits), or «-» to clear it.",
    # The admin menu's «Перезвон» screen.
    "admin.followup.button": "Call back",
    "admin.followup.title": (
        "Call back\n\nNobody took a call for (min) — tell the admins: {escalate}\n"
        "A call back counts within (h): {window}\n\n"
        "First row of buttons: the escalation delay; second: the callback window."
    ),
    "admin.followup.off": "off",
    "admin.followup.chats": "Escalation chat per group (besides the admins):",
    "admin.followup.chat_btn": "⚠️ {group}: {chat}",
    "admin.followup.chat_prompt": (
        "Send the chatid of a Telegram group the bot is in (e.g. -1001234567890), "
        "or «-» for the admins only."
    ),
    "admin.followup.chat_bad": "A chatid is a whole number, e.g. -1001234567890, or «-».",
    "admin.followup.chat_unknown": (
        "The bot cannot see that chat: add the bot to the group and send the chatid again."
    ),
    "admin.followup.saved": "Saved.",
}
