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
}
