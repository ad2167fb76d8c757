"""Русские тексты отчётов (HTML)."""

TEXTS: dict[str, str] = {
    "reports.menu.button": "📊 Отчёт",
    "reports.title": "<b>Отчёт за {days} дн.</b> ({since} — {until})",
    "reports.summary": (
        "Пропущенных звонков: {missed}\nЗвонивших: {callers}\nПовторных звонков: {repeat}"
    ),
    "reports.group": "• {group}: {missed} (звонивших: {callers})",
    "reports.by_group": "По группам:",
    "reports.incomplete": "Учтены только хранимые звонки: последние 1000 за 30 дней.",
    "reports.pending": (
        "Перезвоны, время до перезвона и работа сотрудников появятся вместе с отметками "
        "«перезвонил» под карточками."
    ),
    "reports.days": "{days} дней",
}
