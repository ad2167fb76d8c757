"""Русские тексты экрана одной группы: её рабочие часы и тема в форуме (простой текст)."""

TEXTS: dict[str, str] = {
    "admin.group.open": "⚙️",
    "access.action.group.hours": "часы группы",
    "access.action.group.forum": "форум группы",
    "admin.group.title": (
        "Группа «{group}»\nОповещения: {notify}\nРабочие часы: {hours}\nТема в форуме: {forum}"
    ),
    "admin.group.notify_on": "включены",
    "admin.group.notify_off": "выключены",
    "admin.group.hours_tenant": "как у компании",
    "admin.group.hours_own": "свои ({hours})",
    "admin.group.forum_none": "нет",
    "admin.group.forum_bound": "привязана к чату {chat}",
    "admin.group.hours_button": "🕘 Рабочие часы группы",
    "admin.group.forum_button": "💬 Тема в форуме",
    "admin.back.groups": "« Группы",
    "admin.back.group": "« К группе",
    # «Рабочие часы группы»
    "admin.group_hours.own": (
        "Рабочие часы группы «{group}» ({zone})\nСвои часы: {hours}\nВыходные дни группы: "
        "{holidays}\nВ нерабочее время: {mode} (как у компании)"
    ),
    "admin.group_hours.tenant": (
        "Рабочие часы группы «{group}» ({zone})\nКак у компании: {hours}\nВыходные дни: "
        "{holidays}\nВ нерабочее время: {mode}"
    ),
    "admin.group_hours.set": "✏️ Свои часы",
    "admin.group_hours.reset": "↩️ Как у компании",
    "admin.group_hours.ask": (
        "Пришлите часы группы «{group}», например: Mon-Fri 09:00-18:00; Sat 10:00-14:00 "
        "(или - — как у компании). Выходные дни группы можно добавить строкой ниже: "
        "2027-01-01 2027-01-07"
    ),
    "admin.group_hours.now_tenant": "Группа работает по часам компании.",
    # «Тема в форуме»
    "admin.group_forum.none": (
        "Карточки группы «{group}» могут приходить в отдельную тему форума (супергруппы "
        "с темами). Нажмите «Привязать форум»: бот даст одноразовую ссылку. Откройте её, "
        "выберите форум и добавьте бота администратором с правом управлять темами."
    ),
    "admin.group_forum.bound": (
        "Карточки группы «{group}» приходят в форум {chat}, в свою тему ({topic})."
    ),
    "admin.group_forum.topic_made": "тема создана",
    "admin.group_forum.topic_later": "тема появится с первой карточкой",
    "admin.group_forum.link_button": "🔗 Привязать форум",
    "admin.group_forum.unbind_button": "✂️ Отвязать",
    "admin.group_forum.link": (
        "Откройте ссылку, выберите форум (группу с темами) и добавьте бота администратором "
        "с правом управлять темами:\n{link}\nСсылка одноразовая и действует {minutes} мин."
    ),
    "admin.group_forum.add_button": "➕ Добавить бота в форум",
    "admin.group_forum.unbound": "Форум отвязан: карточки группы приходят только в личные чаты.",
    "admin.group_forum.not_bound": "Группа и так не привязана к форуму.",
    # In the forum, after /start <code>, and the admin's note in private.
    "forum.bind.done": (
        "✅ Готово: карточки о пропущенных звонках группы «{group}» компании «{company}» "
        "будут приходить сюда, в отдельную тему."
    ),
    "forum.bind.not_forum": (
        "В этом чате не включены темы. Включите их в настройках группы (Темы) и откройте "
        "ссылку ещё раз — или возьмите новую в меню «Тема в форуме»."
    ),
    "forum.bind.no_right": (
        "Мне нужно право управлять темами. Сделайте меня администратором с правом "
        "«Управление темами» и откройте ссылку ещё раз — или возьмите новую в меню "
        "«Тема в форуме»."
    ),
    "forum.bind.code_gone": (
        "Эта ссылка уже использована или устарела. Новую можно получить в меню "
        "администратора: Группы → ⚙️ → «Тема в форуме»."
    ),
    "forum.bind.admin_done": (
        "✅ Группа «{group}» привязана к форуму «{title}». Первая карточка создаст там тему."
    ),
    "forum.bind.admin_failed": "⚠️ Группа «{group}» не привязана к «{title}»: {reason}",
    "forum.lost.admin": (
        "⚠️ Бота больше нет в форуме «{title}», поэтому форум отвязан от групп: {groups}. "
        "Их карточки снова приходят только в личные чаты. Чтобы вернуть тему, добавьте бота в "
        "форум заново: Группы → ⚙️ → «Тема в форуме»."
    ),
    "forum.lost.group": "«{name}»",
}
