"""Bot tokens out of every string we log, store or show: one pattern, one filter."""

from __future__ import annotations

import logging
import re

# "<bot id>:<secret>" as Telegram issues them; also inside URLs such as /bot<token>/.
TOKEN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{20,}")
MASK = "<token>"


def redact(text: str) -> str:
    return TOKEN.sub(MASK, text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message so no token reaches a handler (httpx logs full URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info, record.exc_text = None, text
        return True


# Loggers that may print a request URL (and with it the token); a filter on a logger does not
# see its children's records, so each is named.
NOISY_LOGGERS = (
    "httpx",
    "telegram",
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.request.BaseRequest",
    "telegram.request.HTTPXRequest",
    "delivery.transport",
    "delivery.sender",
    "delivery.engine",
    "delivery.fanout",
)


def install(logger_names: tuple[str, ...] = NOISY_LOGGERS) -> RedactTokens:
    """Attach one filter to the loggers that may see tokens; idempotent."""
    flt = RedactTokens()
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(flt)
    return flt
