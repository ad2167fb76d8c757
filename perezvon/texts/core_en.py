"""English texts shared by every area: statuses and names of things."""

TEXTS = {
    "status.active": "Notifications on",
    "status.muted": "Notifications paused",
    "status.disabled": "Disabled by an administrator",
    "status.unreachable": "The bot is blocked by the user",
    "bot_status.active": "Active",
    "bot_status.off": "Off",
    "bot_status.broken": "Token rejected by Telegram",
    "group.default_name": "Main group",
}
