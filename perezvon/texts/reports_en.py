"""English texts of the reports (HTML)."""

TEXTS: dict[str, str] = {
    "reports.menu.button": "📊 Report",
    "reports.title": "<b>Report for {days} days</b> ({since} — {until})",
    "reports.summary": "Missed calls: {missed}\nCallers: {callers}\nRepeat calls: {repeat}",
    "reports.group": "• {group}: {missed} ({callers} callers)",
    "reports.by_group": "By group:",
    "reports.incomplete": "Only the calls still kept count: the newest 1000 of 30 days.",
    "reports.pending": (
        "Callbacks, time to callback and per-employee figures come with the «called back» "
        "marks under the cards."
    ),
    "reports.days": "{days} days",
}
