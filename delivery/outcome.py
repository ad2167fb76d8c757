"""Telegram's answer to one send, mapped in ONE place to what the engine does next."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import aiohttp
import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from delivery.redact import redact


class Verdict(StrEnum):
    SENT = "sent"  # Telegram has the message
    RETRY_AFTER = "retry_after"  # flood control: pause the token, send again
    GONE = "gone"  # blocked, deactivated, kicked: the subscription is unreachable
    NO_ACCESS = "no_access"  # this bot may not write there: try a bot the chat started
    MIGRATED = "migrated"  # the group is a supergroup now: move and resend
    BAD_TOKEN = "bad_token"  # revoked or malformed token: the bot is broken
    TRANSIENT = "transient"  # 5xx, network, not sent: back off and retry
    MAYBE_SENT = "maybe_sent"  # timed out after sending: may have arrived, never blind-resend
    REJECTED = "rejected"  # a request Telegram will never accept: give up
    MESSAGE_GONE = "message_gone"  # an edit's message was deleted or can no longer be edited


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    detail: str = ""
    retry_after: float = 0.0
    new_chat_id: int | None = None


SENT = Outcome(Verdict.SENT)

# (substring of Telegram's description, verdict); the first match wins.
_FORBIDDEN: list[tuple[str, Verdict]] = [
    ("can't initiate conversation", Verdict.NO_ACCESS),
    ("bot is not a member", Verdict.NO_ACCESS),
    ("bot was blocked by the user", Verdict.GONE),
    ("user is deactivated", Verdict.GONE),
    ("bot was kicked", Verdict.GONE),
]
_BAD_REQUEST: list[tuple[str, Verdict]] = [
    ("message is not modified", Verdict.SENT),
    ("message to edit not found", Verdict.MESSAGE_GONE),
    ("message can't be edited", Verdict.MESSAGE_GONE),
    ("message_id_invalid", Verdict.MESSAGE_GONE),
    ("chat not found", Verdict.NO_ACCESS),
]


def _match(message: str, table: list[tuple[str, Verdict]], default: Verdict) -> Verdict:
    lowered = message.lower()
    for needle, verdict in table:
        if needle in lowered:
            return verdict
    return default


def _never_sent(exc: TimedOut) -> bool:
    # Connect and pool timeouts fail before the request leaves: retrying cannot duplicate.
    return isinstance(
        exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout | aiohttp.ConnectionTimeoutError
    )


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta; accept either form quietly.
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: BaseException | None) -> Outcome:
    """The verdict for an exception raised by `Bot.send_message` (None: it was sent)."""
    if exc is None:
        return SENT
    detail = redact(str(exc))
    # Order matters: ChatMigrated, RetryAfter, BadRequest, TimedOut are all TelegramErrors
    # and the last two are NetworkError subclasses.
    if isinstance(exc, RetryAfter):
        return Outcome(Verdict.RETRY_AFTER, detail, retry_after=_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return Outcome(Verdict.MIGRATED, detail, new_chat_id=int(exc.new_chat_id))
    if isinstance(exc, InvalidToken):
        return Outcome(Verdict.BAD_TOKEN, "the bot token was rejected")
    if isinstance(exc, Forbidden):
        return Outcome(_match(detail, _FORBIDDEN, Verdict.GONE), detail)
    if isinstance(exc, BadRequest):
        return Outcome(_match(detail, _BAD_REQUEST, Verdict.REJECTED), detail)
    if isinstance(exc, TimedOut):
        verdict = Verdict.TRANSIENT if _never_sent(exc) else Verdict.MAYBE_SENT
        return Outcome(verdict, detail or "timed out")
    if isinstance(exc, Conflict):
        return Outcome(Verdict.TRANSIENT, detail)
    if isinstance(exc, NetworkError | TelegramError | OSError):
        return Outcome(Verdict.TRANSIENT, detail or type(exc).__name__)
    raise exc


# An edit of a card that ends like this is over: the copy is forgotten, never retried.
EDIT_FINAL = frozenset(
    {
        Verdict.MESSAGE_GONE,
        Verdict.GONE,
        Verdict.NO_ACCESS,
        Verdict.REJECTED,
        Verdict.BAD_TOKEN,
        Verdict.MIGRATED,
    }
)
