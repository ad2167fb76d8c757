"""Русские тексты отчётов (HTML)."""

TEXTS: dict[str, str] = {
    "reports.menu.button": "📊 Отчёт",
    "reports.title": "<b>Отчёт за {days} дн.</b> ({since} — {until})",
    "reports.summary": (
        "Пропущенных звонков: {missed}\nЗвонивших: {callers}\nПовторных звонков: {repeat}"
    ),
    "reports.outcomes": (
        "Перезвонили: {called_back}\nОтмечено вручную: {manual}\nДозвонились сами: "
        "{got_through}\nИстекло: {expired}\nЕщё открыто: {open}"
    ),
    "reports.speed": (
        "Доля перезвонов: {rate}\nВремя до перезвона: медиана {median}, 90% за {p90}\n"
        "Эскалаций: {escalations}"
    ),
    "reports.rate.none": "—",
    "reports.duration.none": "—",
    "reports.duration.minutes": "{minutes} мин",
    "reports.duration.hours": "{hours} ч {minutes} мин",
    "reports.group": (
        "• {group}: {missed} (звонивших: {callers}), перезвонили {back}, открыто {open}"
    ),
    "reports.by_group": "По группам:",
    "reports.by_employee": "По сотрудникам:",
    "reports.employee": "• {name}: взял(а) {claimed}, перезвонил(а) {back}, медиана {median}",
    "reports.not_called_back": "Никто не перезвонил ({total}):",
    "reports.not_called_back.row": "• {caller} ×{calls}, с {since}",
    "reports.not_called_back.more": "…и ещё {more}",
    "reports.hidden": "скрытый номер",
    "reports.incomplete": "Учтены только хранимые карточки: последние 1000 за 60 дней.",
    "reports.days": "{days} дней",
}
