"""English texts of the chat area: what a chat can do about itself without a key (/id,
/resume, the chat id in /status) and what a switched-off company bot answers."""

TEXTS: dict[str, str] = {
    # /id (HTML: the id is tap-to-copy).
    "chat.cmd.id": "This chat's chat id",
    "chat.help.id": "/id — this chat's chat id: your administrator can add you by it, no key",
    "chat.id.private": (
        "Your chat id: <code>{chat}</code>\n"
        "Give it to your company's administrator: in the menu Users → Add user they can "
        "subscribe you without the API key."
    ),
    "chat.id.group": (
        "This group's chat id: <code>{chat}</code>\n"
        "Your company's administrator can add the group in the menu Users → Add user."
    ),
    # /status additions.
    "chat.status.chat_id": "This chat's chat id: {chat}",
    "chat.status.none": (
        "This chat is not subscribed to notifications.\n"
        "Subscribe: /activate <API key> — or give your company's administrator this chat's "
        "chat id ({chat}) to be added without the key."
    ),
    "chat.status.resume_hint": "Resume: /resume",
    # /stop and /resume: pause and resume without the key.
    "chat.stop.done": (
        "Notifications of «{tenant}» are paused. Resume: /resume or the button below."
    ),
    "chat.stop.resume_button": "🔔 Resume",
    "chat.cmd.resume": "Resume paused notifications",
    "chat.help.resume": "/resume — resume notifications paused with /stop or /mute (no key needed)",
    "chat.resume.choose": "Resume the notifications of which company?",
    "chat.resume.button": "🔔 {tenant}",
    "chat.resume.none": "No notifications are paused in this chat.",
    "chat.resume.done": "Notifications on\nCompany: {tenant}",
    "chat.resume.disabled": (
        "Switched off by the administrator\nCompany: {tenant}\n"
        "Only your company's administrator can switch the notifications on again."
    ),
    "chat.resume.group_admins_only": "In a group only its administrators may resume notifications.",
    # A company bot that no longer delivers answers every message with this.
    "chat.retired": (
        "This bot no longer sends the notifications of «{tenant}».\n"
        "They now come from @{bot}: open {link} and press Start."
    ),
    "chat.retired.button": "This bot is retired: notifications come from @{bot}",
}
