"""English texts of the Groups screen's additions: the policy for groups the PBX names, and
the calls ignored because a group does not notify."""

TEXTS: dict[str, str] = {
    "admin.group_new.disable": "⬜ Turn notifications off",
    "admin.groups.ignored": "{line} — calls not notified in 7 days: {count}",
    "admin.groups.policy_on": "New groups the PBX reports notify at once.",
    "admin.groups.policy_off": "New groups the PBX reports start with notifications off.",
    "admin.groups.policy_button_on": "🆕 New groups from the PBX: notify ✅",
    "admin.groups.policy_button_off": "🆕 New groups from the PBX: do not notify ⬜",
    "admin.groups.policy_now_on": "New groups from the PBX now notify at once.",
    "admin.groups.policy_now_off": "New groups from the PBX now start switched off.",
}
