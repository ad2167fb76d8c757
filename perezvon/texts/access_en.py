"""English texts of access without the key: invite links, ingest tokens, the key-activation
switch and the audit log."""

TEXTS: dict[str, str] = {
    "access.invite.group": "Group: {group}",
    "access.invite.unknown": (
        "This invitation does not work: there is no such link. Please ask your company's "
        "administrator for a new one."
    ),
    "access.invite.used_up": (
        "This invitation has already been used. Please ask your company's administrator for a "
        "new one."
    ),
    "access.invite.expired": (
        "This invitation has expired. Please ask your company's administrator for a new one."
    ),
    "access.invite.revoked": (
        "This invitation was withdrawn by the administrator. If you need one, please ask them "
        "for a new one."
    ),
    "access.key_activation.off": (
        "{tenant} connects employees by invitation only. Please ask the administrator to send "
        "you an invitation link."
    ),
}
