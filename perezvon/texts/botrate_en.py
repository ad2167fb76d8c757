"""«⚡ Broadcast speed» of a custom bot (bot/handlers/admin/bot_rate.py)."""

TEXTS = {
    "admin.bots.pace": "⚡ Broadcast speed",
    "admin.pace.title": (
        "⚡ Broadcast speed of @{username}\n\n"
        "Now: {rate} messages per second, {mode}.\n\n"
        "For free, Telegram lets a bot send up to 30 messages per second. Faster, up to 1000 "
        "per second, takes paid broadcasts: for each of their messages Telegram takes Telegram "
        "Stars from the bot's balance."
    ),
    "admin.pace.mode_free": "free",
    "admin.pace.mode_paid": "paid broadcasts ⭐",
    "admin.pace.free": "{rate}/s",
    "admin.pace.paid": "⭐ {rate}/s",
    "admin.pace.back": "« Back to the bot",
    "admin.pace.confirm": (
        "Switch on paid broadcasts for @{username}: {rate} messages per second?\n\n"
        "Every message of the bot goes out as a paid broadcast, and Telegram takes Telegram "
        "Stars from the bot's balance for it. You can go back to a free speed here: 10, 20 or "
        "30 per second."
    ),
    "admin.pace.confirm_yes": "⭐ Yes, paid broadcasts",
    "admin.pace.set_free": "@{username}: {rate} messages per second, free.",
    "admin.pace.set_paid": (
        "@{username}: {rate} messages per second, paid broadcasts (Telegram Stars)."
    ),
}
