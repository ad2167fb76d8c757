"""Russian texts of the admin area."""

TEXTS: dict[str, str] = {}
