"""Russian texts shared by every area: statuses and names of things."""

TEXTS = {
    "status.active": "Уведомления подключены",
    "status.muted": "Уведомления приостановлены",
    "status.disabled": "Отключено администратором",
    "status.unreachable": "Бот заблокирован пользователем",
    "bot_status.active": "Активен",
    "bot_status.off": "Выключен",
    "bot_status.broken": "Токен отклонён Telegram",
    "group.default_name": "Основная группа",
}
