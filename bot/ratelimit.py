"""Replies of a bot's handlers wait for their slot in the token's Redis budget before each call.

The delivery engine and every bot process share one budget per token (and per chat) through
`delivery.pacing.Budget`, so a broadcast and a crowd of command replies never exceed Telegram's
limits together, and an update that cannot be answered now waits instead of drawing a 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from delivery.pacing import Budget

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


class SharedRateLimiter(BaseRateLimiter[None]):
    """PTB's rate limiter for one bot, over the budget the delivery engine uses."""

    def __init__(self, budget: Budget, bot_id: int, *, max_retries: int = 3) -> None:
        self._budget = budget
        self._bot = bot_id
        self._retries = max_retries
        # A busy event loop wakes sleepers late and together: replies of this process leave
        # at least 0.9 of the default interval apart whatever their slots said (their slots are
        # taken, so this only ever delays; a bot with a higher rate of its own replies at most
        # this fast from one process).
        limits = budget.limits
        self._gap = 0.9 / (limits.bot_per_second * (1.0 - limits.margin))
        self._last = 0.0
        self._gate = asyncio.Lock()

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
                async with self._gate:
                    loop = asyncio.get_running_loop()
                    gap = self._last + self._gap - loop.time()
                    if gap > 0:
                        await asyncio.sleep(gap)
                    self._last = loop.time()
                return
            # Paused, or the chat's next slot is later: nothing was taken; ask again then.
            await asyncio.sleep(max(wait, 0.001))

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
            await self._slot(chat)
            # Telegram counts at arrival: the first replies of a crowd leave on their slots but
            # arrive late, behind the crowd's other requests, beside the on-time 31st.
            send = await self._budget.arrivals.enter(self._bot)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self._retries:
                    raise
                # Telegram counts differently than we do: slow the token for everyone.
                await self._budget.throttle(self._bot, max(_seconds(exc), 1.0))
                log.warning("429 on %s of bot %s; waiting for the token", endpoint, self._bot)
            finally:
                # A Redis blip must not turn a sent reply into an error (the entry ages out).
                with contextlib.suppress(RedisError, OSError):
                    await self._budget.arrivals.leave(self._bot, send)
        raise AssertionError("unreachable")
