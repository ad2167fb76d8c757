"""Delivery's names for the one secret-masking implementation in perezvon/logs.py."""

from perezvon.logs import install_token_filter, redact


def install() -> None:
    """Scrub every log record of the process (idempotent)."""
    install_token_filter()


__all__ = ["install", "redact"]
