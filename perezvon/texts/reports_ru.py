"""Русские тексты отчётов (HTML)."""

TEXTS: dict[str, str] = {
    "reports.menu.button": "📊 Отчёт",
    "reports.title": "Отчёт за {days} дн. ({since} — {until})",
    "reports.caption": "<b>Отчёт за {days} дн.</b> ({since} — {until})",
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
    "reports.chart.button": "📈 График",
    "reports.csv.button": "📄 CSV",
    "reports.chart.title": "Пропущенные звонки: {since} — {until}",
    "reports.chart.ylabel": "Звонков",
    "reports.outcome.called_back": "Перезвонили",
    "reports.outcome.manual": "Отмечено вручную",
    "reports.outcome.got_through": "Дозвонились сами",
    "reports.outcome.expired": "Истекло",
    "reports.outcome.open": "Открыто",
    "reports.csv.caption": "Звонки за {days} дн. ({since} — {until}), строк: {cards}.",
    "reports.sending": "Готовлю — пришлю через несколько секунд.",
    "reports.weekly": "<b>Отчёт за неделю</b> ({since} — {until})",
    "reports.weekly.on": "🗓 Еженедельный отчёт администраторам: включён, следующий — {due}.",
    "reports.weekly.off": "🗓 Еженедельный отчёт администраторам: выключен.",
    "reports.weekly.button.on": "🗓 Еженедельно: включить",
    "reports.weekly.button.off": "🗓 Еженедельно: выключить",
    "reports.weekly.saved": "Сохранено.",
}
