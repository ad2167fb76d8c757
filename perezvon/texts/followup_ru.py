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
    # «Позвонить» (AMI Originate) and /ext.
    "card.btn.call": "📞 Позвонить",
    "card.ans.calling": ("Звоним на ваш телефон {ext}. Поднимите трубку — соединим с клиентом."),
    "card.ans.call_pending": "Звонок уже заказан: дождитесь, пока зазвонит телефон.",
    "card.ans.no_ext": "Укажите свой внутренний номер: отправьте боту /ext 102 в личном чате.",
    "card.ans.no_pbx": "Эта АТС не умеет звонить по кнопке: наберите номер из карточки.",
    "card.call.connecting": "📞 Телефон {ext} ответил: набираем {number}.",
    "card.call.no_answer": (
        "📵 Телефон {ext} не ответил. Нажмите «Позвонить» ещё раз, когда будете на месте."
    ),
    "card.call.busy": "📵 Телефон {ext} занят. Попробуйте чуть позже.",
    "card.call.failed": "⚠️ АТС не смогла позвонить на {ext}. Наберите {number} вручную.",
    "card.call.unknown": (
        "⚠️ Не знаем, удалось ли позвонить {number}: связь с АТС "
        "прервалась. Проверьте телефон {ext}."
    ),
    "card.call.late": "⌛ Звонок на {number} не заказан вовремя. Нажмите «Позвонить» ещё раз.",
    "ext.command": "Внутренний номер",
    "ext.help": "/ext 102 — ваш внутренний номер для кнопки «Позвонить»; /ext off — убрать",
    "ext.show": "Ваш внутренний номер: {ext}.",
    "ext.none": (
        "Внутренний номер не указан. Отправьте /ext 102, чтобы "
        "кнопка «Позвонить» звонила на ваш телефон."
    ),
    "ext.set": "Готово: «Позвонить» будет звонить на ваш телефон {ext}.",
    "ext.off": "Внутренний номер убран.",
    "ext.bad": "Внутренний номер — от 2 до 16 цифр, например /ext 102.",
    "ext.private_only": "Внутренний номер у каждого свой: отправьте /ext боту в личном чате.",
    "ext.not_subscribed": "Сначала подпишитесь на уведомления компании.",
    "admin.users.ext": "Внутренний номер: {ext}",
    "admin.users.ext_none": "не указан",
    "admin.users.ext_btn": "📞 Внутренний номер",
    "admin.users.ext_prompt": (
        "Отправьте внутренний номер сотрудника (2–16 цифр) или «-», чтобы убрать."
    ),
    # The admin menu's «Перезвон» screen.
    "admin.followup.button": "Перезвон",
    "admin.followup.title": (
        "Перезвон\n\nНикто не взял звонок за (мин) — сообщить администраторам: {escalate}\n"
        "Перезвонить можно в течение (ч): {window}\n\n"
        "Первая строка кнопок — минуты до сообщения администраторам, вторая — часы окна перезвона."
    ),
    "admin.followup.off": "выкл",
    "admin.followup.chats": "Чат для эскалаций по группе (кроме администраторов):",
    "admin.followup.chat_btn": "⚠️ {group}: {chat}",
    "admin.followup.chat_prompt": (
        "Отправьте chatid группы Telegram, где есть бот (например -1001234567890), "
        "или «-», чтобы эскалации получали только администраторы."
    ),
    "admin.followup.chat_bad": "Нужен chatid — целое число, например -1001234567890, или «-».",
    "admin.followup.chat_unknown": (
        "Бот не видит этот чат: добавьте бота в группу и отправьте chatid ещё раз."
    ),
    "admin.followup.saved": "Сохранено.",
}
