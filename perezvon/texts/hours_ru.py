"""Русские тексты рабочих часов, дайджеста, тихих часов и тревоги «АТС молчит» (HTML)."""

TEXTS: dict[str, str] = {
    "hours.card.off_hours": "🌙 Звонок в нерабочее время",
    "hours.digest.title": "🌅 <b>Пропущенные звонки в нерабочее время: {count}</b>",
    "hours.digest.line": "• {time} — <b>{caller}</b> — {group}",
    "hours.digest.hidden": "номер скрыт",
    "hours.digest.more": "…и ещё {count}",
    "hours.digest.time_format": "%d.%m %H:%M",
    # /quiet: personal quiet hours of a subscriber.
    "hours.quiet.set": (
        "🔕 Тихие часы: {window} ({zone}). В это время уведомления приходят без звука."
    ),
    "hours.quiet.off": "🔔 Тихие часы выключены: уведомления приходят со звуком.",
    "hours.quiet.show": "🔕 Тихие часы: {window} ({zone}). Выключить: /quiet off",
    "hours.quiet.none": (
        "Тихие часы не заданы. Пример: /quiet 22:00-08:00 — в это время уведомления будут "
        "приходить без звука."
    ),
    "hours.quiet.bad": "Не понял время. Пример: /quiet 22:00-08:00 или /quiet off",
    "hours.quiet.not_subscribed": "Вы ещё не подписаны на уведомления.",
    "hours.quiet.help": (
        "/quiet 22:00-08:00 — тихие часы: уведомления без звука; /quiet off — выключить"
    ),
    "hours.quiet.group_admins_only": "Тихие часы группы меняют только её администраторы.",
    "hours.quiet.command": "Тихие часы",
    # The admin menu.
    "hours.menu.button": "🕘 Рабочие часы",
    "hours.menu.summary": (
        "Рабочие часы ({zone})\n{hours}\nВыходные дни: {holidays}\n"
        "В нерабочее время: {mode}\nТревога при молчании АТС: {silence}"
    ),
    "hours.menu.always": "круглосуточно",
    "hours.menu.none": "нет",
    "hours.menu.silence_off": "выключена",
    "hours.menu.mode.notify": "уведомлять как обычно",
    "hours.menu.mode.quiet": "без звука",
    "hours.menu.mode.digest": "сводка утром",
    "hours.menu.set_hours": "✏️ Часы",
    "hours.menu.ask_hours": (
        "Пришлите рабочие часы, например: «Mon-Fri 09:00-18:00; Sat 10:00-14:00» "
        "(или «-» — круглосуточно). Выходные дни можно добавить строкой ниже: "
        "«2027-01-01 2027-01-07»"
    ),
    "hours.menu.bad_hours": "Не понял часы: {error}",
    "hours.menu.saved": "Сохранено.",
    # Silent PBX.
    "hours.silent.alarm": (
        "⚠️ От АТС компании «{company}» нет событий уже {duration}. Проверьте связь АТС "
        "с Перезвоном."
    ),
    "hours.silent.back": "✅ События от АТС компании «{company}» снова поступают.",
    "hours.ami.down": (
        "⚠️ Нет связи с АТС {host} (AMI) уже {duration}. Пропущенные звонки с неё не приходят."
    ),
    "hours.ami.back": "✅ Связь с АТС {host} (AMI) восстановлена.",
    "hours.menu.pbx_silent": "⚠️ АТС молчит с {since}",
    "hours.menu.pbx_ok": "АТС: последнее событие {since}",
    "hours.menu.pbx_never": "АТС: событий ещё не было",
}
