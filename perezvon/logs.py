"""Logging set-up; secrets (bot tokens, API keys) are masked in every record that passes."""

from __future__ import annotations

import logging
import re

# A bot token (digits:35 chars) or a Perezvon API key, wherever it appears (URLs included).
SECRET_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}|pzv_[A-Za-z0-9_-]{8,}")
MASK = "«secret»"


def redact(text: str) -> str:
    return SECRET_PATTERN.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with secrets masked, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


def setup(level: str) -> None:
    """Root logging to stderr with redaction on the handler, so third-party loggers are covered."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
