"""English texts of the bot area (subscriber commands)."""

TEXTS: dict[str, str] = {
    "bot.description": "{bot} delivers notifications about calls your virtual PBX missed.",
    "bot.short_description": "Missed-call notifications from your virtual PBX.",
    "bot.cmd.start": "Get started",
    "bot.cmd.help": "List of commands",
    "bot.cmd.activate": "Turn notifications on: /activate <API key>",
    "bot.cmd.status": "My subscriptions and their status",
    "bot.cmd.mute": "Pause notifications: /mute <API key>",
    "bot.cmd.active": "Resume notifications: /active <API key>",
    "bot.help.header": "What {bot} can do:",
    "bot.help.start": "/start — greeting and short help",
    "bot.help.help": "/help — this list of commands",
    "bot.help.activate": "/activate <API key> — turn missed-call notifications on",
    "bot.help.status": "/status — this chat's subscriptions, their status and which bot sends them",
    "bot.help.mute": "/mute <API key> — pause notifications",
    "bot.help.active": "/active <API key> — resume notifications",
    "bot.help.footer": "<API key> is the «API key» value. Your company's administrator has it.",
    "bot.greeting": (
        "Hello! {bot} tells you about calls your virtual PBX missed, so you can call back.\n\n"
        "To subscribe, send /activate <API key>. Your company's administrator has the "
        "«API key».\n\nAll commands: /help"
    ),
    "bot.activated": "Notifications are activated.\nCompany: {tenant}",
    "bot.activated.use_custom": (
        "This company's notifications come from @{bot}. Open it and press Start to get them there."
    ),
    "bot.muted": "Notifications paused.\nCompany: {tenant}\nResume: /active <API key>",
    "bot.resumed": "Notifications on\nCompany: {tenant}",
    "bot.disabled": (
        "Turned off by the administrator\nCompany: {tenant}\n"
        "Only your company's administrator can turn notifications on again — please ask them."
    ),
    "bot.not_subscribed": (
        "This chat is not subscribed to notifications of «{tenant}».\n"
        "Subscribe: /activate <API key>"
    ),
    "bot.key.missing": (
        "Give your company's API key: /{command} <API key>\n"
        "The key is the «API key» value; your company's administrator has it."
    ),
    "bot.key.malformed": (
        "That is not an API key. Send: /{command} <API key>\n"
        "The key is the «API key» value and starts with {prefix}. Your company's "
        "administrator has it."
    ),
    "bot.key.unknown": (
        "That key did not work: it does not exist or was replaced.\n"
        "Get the current «API key» from your company's administrator and send: "
        "/{command} <API key>"
    ),
    "bot.key.throttled": "Too many wrong keys. Try again in {minutes} min.",
    "bot.key.deleted": "The message with the key was deleted from the chat: the key is a secret.",
    "bot.key.not_this_bot": (
        "This bot takes only its own company's API key, and this key does not fit it.\n"
        "Send another company's API key only to the main bot @{bot}. If you already sent it "
        "here, ask that company's administrator to replace the key."
    ),
    "bot.activated.start_default": (
        "Notifications will come from @{bot}. Open it and press Start: https://t.me/{bot}?start=hi"
    ),
    "bot.group.admins_only": "In a group only its administrators can do this.",
    "bot.group.admin_unknown": (
        "Could not check that you are an administrator of this group. Please try again later."
    ),
    "bot.status.none": (
        "This chat is not subscribed to notifications.\nSubscribe: /activate <API key>"
    ),
    "bot.status.header": "This chat's subscriptions:",
    "bot.status.item": (
        "{tenant}\nStatus: {status}\nSince {since}\nGroups: {groups}\nSent by: {bot}"
    ),
    "bot.status.all_groups": "all groups",
    "bot.status.start_custom": "@{default} (open @{custom} and press Start to get them there)",
    "bot.status.no_groups": "none",
    "bot.datetime": "%Y-%m-%d %H:%M",
    "bot.stale_button": "This button is out of date.",
    "bot.unknown_command": "There is no such command. List of commands: /help",
    "bot.plain_text": "I understand commands. List of commands: /help",
    "bot.token_deleted": (
        "That looks like a bot token. The message was deleted: a token is a secret. "
        "Your company's administrator adds the company's bots."
    ),
    "bot.error": "Something went wrong. Please try again a bit later.",
    "bot.cmd.stop": "Pause a company's notifications without its key",
    "bot.help.stop": "/stop — pause a company's notifications without knowing its key",
    "bot.stop.choose": "Which company's notifications should be paused?",
    "bot.stop.button": "🔕 {tenant}",
    "bot.stop.none": "This chat gets no notifications: nothing to pause.",
    "bot.stop.done": "Notifications from «{tenant}» are paused. To resume: /active <API key>.",
    "bot.stop.group_admins_only": "In a group only its administrators may pause notifications.",
}
