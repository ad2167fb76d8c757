"""Logging set-up and the one place that masks secrets (bot tokens, API keys) in log records.

`install_token_filter()` wraps the process's log record factory, so every record from every
logger (ours, PTB's, httpx's request URLs with the token in them) is scrubbed when it is
created, whatever handlers (or pytest's caplog) format it later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from store.crypto import API_KEY_PREFIX, INGEST_TOKEN_PREFIX, INVITE_PREFIX

# `<bot id>:<secret>`: the bot id is public and helps debugging, the rest is the secret.
TOKEN_RE = re.compile(r"(\d{3,20}):[A-Za-z0-9_-]{30,60}")
# Credentials (API keys, ingest tokens): also deleted from chats by the bot (bot/handlers/scrub).
API_KEY_RE = re.compile(
    f"({re.escape(API_KEY_PREFIX)}|{re.escape(INGEST_TOKEN_PREFIX)})" + r"[A-Za-z0-9_-]{8,}"
)
# Invite codes are meant to be shared in a link, but never logged.
INVITE_RE = re.compile(re.escape(INVITE_PREFIX) + r"[A-Za-z0-9_-]{8,}")
MASK = "<redacted>"


def redact(text: str) -> str:
    """The text with every bot token and API key masked."""
    text = TOKEN_RE.sub(lambda m: f"{m.group(1)}:{MASK}", text)
    text = API_KEY_RE.sub(lambda m: m.group(1) + MASK, text)
    return INVITE_RE.sub(INVITE_PREFIX + MASK, text)


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the handler's problem, not ours
        return
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingFilter(logging.Filter):
    """The same scrubbing as a filter, for a logger or handler set up outside `setup()`."""

    def filter(self, record: logging.LogRecord) -> bool:
        _scrub(record)
        return True


def install_token_filter() -> Callable[[], None]:
    """Scrub every log record from now on; returns a function that undoes it (for tests)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_pz_redacting", False):
        return lambda: None

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub(record)
        return record

    factory._pz_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)

    def uninstall() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)

    return uninstall


def setup(level: str) -> None:
    """Root logging to stderr, every record scrubbed of secrets."""
    install_token_filter()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; masked, but noise.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
