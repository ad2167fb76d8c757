"""Russian texts of the bot area."""

TEXTS: dict[str, str] = {}
