"""Russian texts of the delivery area: missed-call messages and delivery notices (HTML)."""

TEXTS: dict[str, str] = {
    "delivery.call.title": "📞 <b>Пропущенный вызов</b>",
    "delivery.call.company": "Компания: <b>{company}</b>",
    "delivery.call.caller": "Звонил: <b>{caller}</b>",
    "delivery.call.caller_hidden": "Звонил: <b>Номер скрыт</b>",
    "delivery.call.callback": "Перезвонить: {number}",
    "delivery.call.caller_name": "Имя: {name}",
    "delivery.call.called": "Линия: {line}",
    "delivery.call.group": "Группа: {group}",
    "delivery.call.extensions": "Звонок шёл на: {extensions}",
    "delivery.call.time": "Звонок в {time} ({zone})",
    "delivery.call.waited": "Ожидал ответа: {duration}",
    "delivery.call.voicemail": "✉️ Оставлено голосовое сообщение",
    # The zone after a time: Moscow-relative for Russian zones in Russian, else UTC±N.
    "delivery.zone.moscow": "МСК{offset}",
    "delivery.zone.utc": "UTC{offset}",
    "delivery.time_format": "%d.%m.%Y %H:%M:%S",
    "delivery.duration.seconds": "{s} с",
    "delivery.duration.minutes": "{m} мин {s} с",
    "delivery.duration.hours": "{h} ч {m} мин",
    "delivery.hint": (
        "ℹ️ У вашей компании есть свой бот @{username}. Чтобы получать уведомления от него, "
        "откройте {link} и нажмите «Старт»."
    ),
    "delivery.group_new": (
        "🆕 АТС сообщила о новой группе «{group}». Оповещения о пропущенных вызовах для неё "
        "выключены; включите их, если они нужны."
    ),
    "delivery.group_new_on": (
        "🆕 АТС сообщила о новой группе «{group}». Оповещения о пропущенных вызовах для неё "
        "включены (так настроено для новых групп); выключите их, если они не нужны."
    ),
    "delivery.bot_broken": (
        "⚠️ Telegram отклонил токен бота @{username} («{name}»). Бот выключен, уведомления "
        "идут через основной бот. Добавьте бота с новым токеном в меню «Боты»."
    ),
}
