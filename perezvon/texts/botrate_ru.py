"""«⚡ Скорость рассылки» of a custom bot (bot/handlers/admin/bot_rate.py)."""

TEXTS = {
    "admin.bots.pace": "⚡ Скорость рассылки",
    "admin.pace.title": (
        "⚡ Скорость рассылки @{username}\n\n"
        "Сейчас: {rate} сообщений в секунду, {mode}.\n\n"
        "Бесплатно Telegram разрешает боту до 30 сообщений в секунду. Быстрее, до 1000 "
        "в секунду, — только платная рассылка: за каждое её сообщение Telegram списывает "
        "звёзды (Telegram Stars) с баланса бота."
    ),
    "admin.pace.mode_free": "бесплатно",
    "admin.pace.mode_paid": "платная рассылка ⭐",
    "admin.pace.free": "{rate}/с",
    "admin.pace.paid": "⭐ {rate}/с",
    "admin.pace.back": "« К боту",
    "admin.pace.confirm": (
        "Включить платную рассылку для @{username}: {rate} сообщений в секунду?\n\n"
        "Каждое сообщение бота пойдёт платной рассылкой, и Telegram спишет за него звёзды "
        "(Telegram Stars) с баланса бота. Вернуться к бесплатной скорости можно здесь же: "
        "10, 20 или 30 в секунду."
    ),
    "admin.pace.confirm_yes": "⭐ Да, платная рассылка",
    "admin.pace.set_free": "@{username}: {rate} сообщений в секунду, бесплатно.",
    "admin.pace.set_paid": (
        "@{username}: {rate} сообщений в секунду, платная рассылка (Telegram Stars)."
    ),
}
