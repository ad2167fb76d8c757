"""English texts of the delivery area."""

TEXTS: dict[str, str] = {}
