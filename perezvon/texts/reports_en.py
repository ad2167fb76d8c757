"""English texts of the reports (HTML)."""

TEXTS: dict[str, str] = {
    "reports.menu.button": "📊 Report",
    "reports.title": "Report for {days} days ({since} — {until})",
    "reports.caption": "<b>Report for {days} days</b> ({since} — {until})",
    "reports.summary": "Missed calls: {missed}\nCallers: {callers}\nRepeat calls: {repeat}",
    "reports.outcomes": (
        "Called back: {called_back}\nMarked done: {manual}\nGot through themselves: "
        "{got_through}\nExpired: {expired}\nStill open: {open}"
    ),
    "reports.speed": (
        "Callback rate: {rate}\nTime to callback: median {median}, 90% within {p90}\n"
        "Escalations: {escalations}"
    ),
    "reports.rate.none": "—",
    "reports.duration.none": "—",
    "reports.duration.minutes": "{minutes} min",
    "reports.duration.hours": "{hours} h {minutes} min",
    "reports.group": "• {group}: {missed} ({callers} callers), called back {back}, open {open}",
    "reports.by_group": "By group:",
    "reports.by_employee": "By employee:",
    "reports.employee": "• {name}: took {claimed}, called back {back}, median {median}",
    "reports.not_called_back": "Nobody called back ({total}):",
    "reports.not_called_back.row": "• {caller} ×{calls}, since {since}",
    "reports.not_called_back.more": "…and {more} more",
    "reports.hidden": "hidden number",
    "reports.incomplete": "Only the cards still kept count: the newest 1000 of 60 days.",
    "reports.days": "{days} days",
    "reports.chart.button": "📈 Chart",
    "reports.csv.button": "📄 CSV",
    "reports.chart.title": "Missed calls: {since} — {until}",
    "reports.chart.ylabel": "Calls",
    "reports.outcome.called_back": "Called back",
    "reports.outcome.manual": "Marked done",
    "reports.outcome.got_through": "Got through themselves",
    "reports.outcome.expired": "Expired",
    "reports.outcome.open": "Open",
    "reports.csv.caption": "Calls of {days} days ({since} — {until}): {cards} rows.",
    "reports.sending": "On its way: it arrives in a few seconds.",
    "reports.weekly": "<b>Weekly report</b> ({since} — {until})",
    "reports.weekly.on": "🗓 Weekly report to the admins: on, next on {due}.",
    "reports.weekly.off": "🗓 Weekly report to the admins: off.",
    "reports.weekly.button.on": "🗓 Weekly: switch on",
    "reports.weekly.button.off": "🗓 Weekly: switch off",
    "reports.weekly.saved": "Saved.",
}
