"""Russian texts of access without the key: invite links, ingest tokens, the key-activation
switch and the audit log («Журнал»)."""

TEXTS: dict[str, str] = {
    # /start <invite code>.
    "access.invite.group": "Группа: {group}",
    "access.invite.unknown": (
        "Приглашение не подошло: такой ссылки нет. Попросите администратора вашей компании "
        "прислать новую."
    ),
    "access.invite.used_up": (
        "Это приглашение уже использовано. Попросите администратора вашей компании прислать новое."
    ),
    "access.invite.expired": (
        "Срок действия приглашения истёк. Попросите администратора вашей компании прислать новое."
    ),
    "access.invite.revoked": (
        "Это приглашение отозвано администратором. Если оно вам нужно, попросите у него новое."
    ),
    # /activate <key> when the tenant allows invites only.
    "access.key_activation.off": (
        "Компания «{tenant}» подключает сотрудников только по приглашениям. Попросите "
        "администратора прислать вам ссылку-приглашение."
    ),
    # The admin menu: «Пригласить» and «Журнал».
    "access.menu.invite": "🔗 Пригласить",
    "access.menu.journal": "📜 Журнал",
    "access.invites.title": "Приглашения",
    "access.invites.hint": (
        "Ссылка-приглашение подключает сотрудника к уведомлениям без ключа API: перешлите её "
        "ему. Ею можно воспользоваться заданное число раз до срока."
    ),
    "access.invites.none": "Приглашений пока нет.",
    "access.invites.line": (
        "{id} — {state}: использовано {uses}, осталось {left}, до {until}; {group}"
    ),
    "access.invite.state.live": "действует",
    "access.invite.state.used_up": "использовано",
    "access.invite.state.expired": "истекло",
    "access.invite.state.revoked": "отозвано",
    "access.invites.new": "➕ Новое приглашение",
    "access.invites.revoke": "✖ Отозвать {id}",
    "access.invites.pick_group": "Новое приглашение: на какие группы подписать сотрудника?",
    "access.invites.pick_uses": "Сколько раз можно воспользоваться ссылкой?",
    "access.invites.uses_n": "{n} раз",
    "access.invites.pick_hours": "Сколько действует ссылка?",
    "access.invites.hours_24": "1 день",
    "access.invites.hours_168": "7 дней",
    "access.invites.hours_720": "30 дней",
    "access.invites.created": (
        "Приглашение {id}: {uses} раз, до {until}; {group}.\n"
        "Перешлите сотруднику эту ссылку:\n{link}"
    ),
    "access.invites.created_short": "Приглашение создано.",
    "access.invites.revoke_confirm": "Отозвать приглашение {id}? Ссылка перестанет работать.",
    "access.invites.revoke_yes": "Да, отозвать",
    "access.invites.revoked": "Приглашение {id} отозвано.",
    "access.key_activation.on": "Подключение по ключу API (/activate <ключ>): включено.",
    "access.key_activation.off_line": (
        "Подключение по ключу API (/activate <ключ>): выключено — только по приглашениям."
    ),
    "access.key_activation.button_on": "🔑 Подключение по ключу: ✅",
    "access.key_activation.button_off": "🔑 Подключение по ключу: ⬜",
    "access.key_activation.now_on": "Подключение по ключу API включено.",
    "access.key_activation.now_off": "Подключение по ключу API выключено: только по приглашениям.",
    "access.journal.title": "Журнал действий администраторов (последние {count})",
    "access.journal.empty": "Записей пока нет.",
    "access.journal.cli": "командная строка",
    "access.journal.all_groups": "все группы",
    "access.action.admin.login": "вход в меню",
    "access.action.group.notify": "оповещения группы",
    "access.action.group.policy": "новые группы от АТС",
    "access.action.group.set": "группа (CLI)",
    "access.action.user.switch": "пользователь вкл/выкл",
    "access.action.user.follow": "группы пользователя",
    "access.action.user.delete": "пользователь удалён",
    "access.action.user.add": "пользователь добавлен",
    "access.action.bot.switch": "бот вкл/выкл",
    "access.action.bot.delete": "бот удалён",
    "access.action.bot.add": "бот добавлен",
    "access.action.bot.pace": "скорость рассылки бота",
    "access.action.key.rotate": "ключ API заменён",
    "access.action.key_activation": "подключение по ключу",
    "access.action.invite.create": "приглашение создано",
    "access.action.invite.revoke": "приглашение отозвано",
    "access.action.token.create": "токен АТС создан",
    "access.action.token.revoke": "токен АТС отозван",
    "access.action.tenant.set": "настройки компании",
    "access.action.report.weekly": "еженедельный отчёт",
}
