"""Russian texts of the follow-up loop: the card's buttons, state lines and press answers."""

TEXTS: dict[str, str] = {
    "card.btn.claim": "Перезвоню",
    "card.btn.done": "Перезвонил(а)",
    "card.btn.drop": "Отказаться",
    "card.time_format": "%H:%M",
    "card.repeat": "🔁 Звонил {count} раз(а), последний в {time}",
    "card.history": "📇 За 30 дней звонил {calls} раз(а){answered}{back}",
    "card.history.answered": "; последний отвеченный: {when}",
    "card.history.back": "; последний перезвон: {when}",
    "card.date_format": "%d.%m %H:%M",
    "card.attempt": "📵 Не дозвонились в {time}",
    "card.attempts": "📵 Не дозвонились ({count} раз(а)), последний раз в {time}",
    "card.claimed": "🙋 Берёт: {name}, {time}",
    "card.called_back": "✅ Перезвонили: {who}, {time}, через {after}",
    "card.talk": ", разговор {talk}",
    "card.got_through": "✅ Клиент дозвонился сам в {time}",
    "card.manual": "✅ Перезвонили: {who}, {time}",
    "card.expired": "⌛ Не перезвонили за {hours} ч",
    "card.escalated": "⚠️ <b>Звонок никто не взял за {minutes} мин</b>",
    "card.remind": (
        "⏰ Вы обещали перезвонить: {caller}. Отметьте «Перезвонил(а)», когда поговорите."
    ),
    "card.someone": "сотрудник",
    "card.ans.claimed": "Вы перезвоните этому клиенту. Карточка обновится у всех.",
    "card.ans.done": "Отмечено: клиенту перезвонили.",
    "card.ans.dropped": "Вы отказались; звонок снова свободен.",
    "card.ans.taken": "Уже берёт: {name}.",
    "card.ans.resolved": "Этот звонок уже обработан.",
    "card.ans.gone": "Эта карточка устарела.",
    "card.ans.not_claimed": "Этот звонок никто не брал.",
    "card.ans.forbidden": "Действовать по этой карточке могут только сотрудники компании.",
    # The admin menu's «Перезвон» screen.
    "admin.followup.button": "Перезвон",
    "admin.followup.title": (
        "Перезвон\n\nНикто не взял звонок за (мин) — сообщить администраторам: {escalate}\n"
        "Перезвонить можно в течение (ч): {window}\n\n"
        "Первая строка кнопок — минуты до сообщения администраторам, вторая — часы окна перезвона."
    ),
    "admin.followup.off": "выкл",
    "admin.followup.saved": "Сохранено.",
}
