"""The bot's names for the one secret-masking implementation in perezvon/logs.py, and the
filter that keeps PTB's own report of a rejected token to one line.

When Telegram rejects a bot's token, PTB's network loop logs the InvalidToken with its whole
traceback at ERROR (`telegram.ext`: "Invalid token. Aborting retry loop."), as does the Updater
when it confirms the last updates on stop. For us that is an expected event the runtime handles
(a custom bot is marked broken and its admins are told) and reports itself in one WARNING
line, so PTB's record becomes one INFO line without the traceback.
"""

from __future__ import annotations

import logging

from telegram.error import InvalidToken

from perezvon.logs import API_KEY_RE, MASK, TOKEN_RE, install_token_filter, redact

__all__ = [
    "API_KEY_RE",
    "MASK",
    "TOKEN_RE",
    "install_token_filter",
    "quiet_rejected_tokens",
    "redact",
]

# Where PTB logs an InvalidToken it then re-raises (a logger's filters see only the records
# logged on that very logger, not on its children).
PTB_LOGGERS = ("telegram.ext", "telegram.ext.Updater", "telegram.ext.Application", "telegram.Bot")


class RejectedTokenFilter(logging.Filter):
    """An InvalidToken record of PTB's becomes one INFO line: no traceback, no ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, InvalidToken) or record.levelno <= logging.INFO:
            return True
        record.msg = f"{record.getMessage()} ({type(exc).__name__}: {redact(str(exc))})"
        record.args = ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        # The logger's level was checked for ERROR: check again for what the record is now.
        return logging.getLogger(record.name).isEnabledFor(logging.INFO)


_FILTER = RejectedTokenFilter()


def quiet_rejected_tokens() -> None:
    """Install the filter on PTB's loggers (idempotent)."""
    for name in PTB_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
