"""Russian texts of the «Группы» screen's additions: the policy for groups the PBX names, and
the calls ignored because a group does not notify."""

TEXTS: dict[str, str] = {
    "admin.group_new.disable": "⬜ Выключить оповещения",
    "admin.groups.ignored": "{line} — не оповещено о вызовах за 7 дней: {count}",
    "admin.groups.policy_on": "Новые группы, о которых сообщит АТС, сразу оповещают.",
    "admin.groups.policy_off": (
        "Новые группы, о которых сообщит АТС, создаются с выключенными оповещениями."
    ),
    "admin.groups.policy_button_on": "🆕 Новые группы от АТС: оповещать ✅",
    "admin.groups.policy_button_off": "🆕 Новые группы от АТС: не оповещать ⬜",
    "admin.groups.policy_now_on": "Теперь новые группы от АТС сразу оповещают.",
    "admin.groups.policy_now_off": "Теперь новые группы от АТС создаются выключенными.",
}
