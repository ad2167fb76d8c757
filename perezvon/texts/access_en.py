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
    "access.menu.invite": "🔗 Invite",
    "access.menu.journal": "📜 Journal",
    "access.invites.title": "Invitations",
    "access.invites.hint": (
        "An invitation link connects an employee to the notifications without the API key: "
        "forward it to them. It works a set number of times until it expires."
    ),
    "access.invites.none": "No invitations yet.",
    "access.invites.line": "{id} — {state}: used {uses}, {left} left, until {until}; {group}",
    "access.invite.state.live": "live",
    "access.invite.state.used_up": "used up",
    "access.invite.state.expired": "expired",
    "access.invite.state.revoked": "withdrawn",
    "access.invites.new": "➕ New invitation",
    "access.invites.revoke": "✖ Withdraw {id}",
    "access.invites.pick_group": "New invitation: which groups should the employee follow?",
    "access.invites.pick_uses": "How many times may the link be used?",
    "access.invites.uses_n": "{n} times",
    "access.invites.pick_hours": "How long does the link work?",
    "access.invites.hours_24": "1 day",
    "access.invites.hours_168": "7 days",
    "access.invites.hours_720": "30 days",
    "access.invites.created": (
        "Invitation {id}: {uses} times, until {until}; {group}.\n"
        "Forward this link to the employee:\n{link}"
    ),
    "access.invites.created_short": "Invitation created.",
    "access.invites.revoke_confirm": "Withdraw invitation {id}? The link will stop working.",
    "access.invites.revoke_yes": "Yes, withdraw",
    "access.invites.revoked": "Invitation {id} withdrawn.",
    "access.key_activation.on": "Connecting with the API key (/activate <key>): on.",
    "access.key_activation.off_line": (
        "Connecting with the API key (/activate <key>): off — by invitation only."
    ),
    "access.key_activation.button_on": "🔑 Connect with the key: ✅",
    "access.key_activation.button_off": "🔑 Connect with the key: ⬜",
    "access.key_activation.now_on": "Connecting with the API key is on.",
    "access.key_activation.now_off": "Connecting with the API key is off: invitations only.",
    "access.journal.title": "Administrators' actions (the last {count})",
    "access.journal.empty": "Nothing recorded yet.",
    "access.journal.cli": "command line",
    "access.journal.all_groups": "all groups",
    "access.action.admin.login": "signed in",
    "access.action.group.notify": "group notifications",
    "access.action.group.policy": "new groups from the PBX",
    "access.action.group.set": "group (CLI)",
    "access.action.user.switch": "user on/off",
    "access.action.user.follow": "user's groups",
    "access.action.user.delete": "user deleted",
    "access.action.user.add": "user added",
    "access.action.bot.switch": "bot on/off",
    "access.action.bot.delete": "bot deleted",
    "access.action.bot.add": "bot added",
    "access.action.bot.pace": "bot's broadcast speed",
    "access.action.key.rotate": "API key replaced",
    "access.action.key_activation": "connecting with the key",
    "access.action.invite.create": "invitation created",
    "access.action.invite.revoke": "invitation withdrawn",
    "access.action.token.create": "PBX token created",
    "access.action.token.revoke": "PBX token revoked",
    "access.action.tenant.set": "company settings",
    "access.action.report.weekly": "weekly report",
}
