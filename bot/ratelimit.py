"""Replies of a bot's handlers wait for their slot in the token's Redis budget before each call.

The delivery engine and every bot process share one budget per token (and per chat) through
`delivery.pacing.Budget`, and the same arrival windows (`delivery.pacing.Arrivals`), so a
broadcast and a crowd of command replies never exceed Telegram's limits together, and an update
that cannot be answered now waits instead of drawing a 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from delivery.pacing import Arrivals, Budget
from delivery.policy import Limits
from store import Store

log = logging.getLogger(__name__)

# Methods that put a message into a chat (or change one): the ones Telegram's limits count.
# Everything else (getUpdates, answerCallbackQuery, deleteMessage, setMyCommands...) goes at once.
_COUNTED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")


def counted(endpoint: str) -> bool:
    """Whether a Bot API method takes a slot of the sending budget."""
    return endpoint.startswith(_COUNTED_PREFIXES) and endpoint != "sendChatAction"


def chat_of(data: dict[str, Any]) -> int | None:
    """The numeric chat a request writes to, if it names one (an @username is not limited)."""
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that retry_after becomes a timedelta
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass(frozen=True, slots=True)
class ReplyPacing:
    """What a reply waits for, all in Redis and shared with the delivery engine: its slot in the
    token's (and the chat's) budget, then room in the bot's and the chat's arrival windows."""

    budget: Budget
    arrivals: Arrivals

    @classmethod
    def of(cls, store: Store, limits: Limits) -> ReplyPacing:
        """Over the store's Redis: the bot runtime shares it without holding a raw client."""
        arrivals = Arrivals.of(store, int(limits.bot_per_second), chats=limits)
        return cls(Budget.of(store, limits), arrivals)


class SharedRateLimiter(BaseRateLimiter[None]):
    """PTB's rate limiter for one bot, over the budget and the windows the delivery engine uses.

    Telegram counts a send when it arrives, in sliding windows (at most 30 of a bot in any
    second, one per second in a private chat, 20 a minute in a group): a slot only says when a
    send may leave. So a send also starts only while its bot's arrival window has room and its
    chat has had nothing in flight or answered within the chat's interval (the engine's sends
    to the chat included): a reply that reached Telegram late holds the chat's next one back,
    and sends that a busy loop wakes together stay within the bot's window however bunched.
    """

    def __init__(self, pacing: ReplyPacing, bot_id: int, *, max_retries: int = 3) -> None:
        self._budget = pacing.budget
        self._arrivals = pacing.arrivals
        self._bot = bot_id
        self._retries = max_retries
        # Sends of one chat take their slots and windows in the order they were asked for.
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def _slot(self, chat: int | None) -> None:
        while True:
            granted, wait = await self._budget.acquire(self._bot, chat)
            if granted:
                if wait > 0:
                    await asyncio.sleep(wait)
                return
            # Paused, or the chat's next slot is later: nothing was taken; ask again then.
            await asyncio.sleep(max(wait, 0.001))

    async def _turn(self, chat: int | None) -> str:
        """Wait for the send's slot, then for room at arrival; the id `leave` takes."""
        if chat is None:  # an @username: only the bot's limits are known
            await self._slot(None)
            return await self._arrivals.enter(self._bot)
        lock, users = self._chats.get(chat) or (asyncio.Lock(), 0)
        self._chats[chat] = (lock, users + 1)
        try:
            async with lock:
                await self._slot(chat)
                return await self._arrivals.enter(self._bot, chat)
        finally:
            lock, users = self._chats[chat]
            if users == 1:
                del self._chats[chat]
            else:
                self._chats[chat] = (lock, users - 1)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if not counted(endpoint):
            return await callback(*args, **kwargs)
        chat = chat_of(data)
        for attempt in range(self._retries + 1):
            send = await self._turn(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self._retries:
                    raise
                # Telegram counts differently than we do: slow the token for everyone.
                await self._budget.throttle(self._bot, max(_seconds(exc), 1.0))
                log.warning("429 on %s of bot %s; waiting for the token", endpoint, self._bot)
            finally:
                answered = self._arrivals.now()  # before any wait for Redis
                # A Redis blip must not turn a sent reply into an error (the entry ages out).
                with contextlib.suppress(RedisError, OSError):
                    await self._arrivals.leave(self._bot, send, chat, answered=answered)
        raise AssertionError("unreachable")
