"""Bot API calls for many bot tokens over ONE shared HTTP connection pool.

No `telegram.Bot` per token: for a text message the engine needs neither PTB's argument
defaults nor a `Message` built from every answer (both showed in the profile), only PTB's
parsing of the answer and its exception types, which `BaseRequest.post` gives.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from delivery.pacing import Arrivals
from delivery.routing import BotRef
from delivery.transport import AiohttpRequest, FileParams, JsonParams

# Methods Telegram's limits count (bot/ratelimit.py keeps the full rule for PTB's calls).
COUNTED = ("send", "edit", "copyMessage", "forwardMessage")


# How long an admission stands for its call: its window entry counts until the admission's
# time plus the longest a send stays in flight, so a job that waited longer than this for a send
# slot asks again rather than send on an entry that may age out while it is in flight.
ADMISSION_FRESH = 2.0


@dataclass(frozen=True, slots=True)
class Admission:
    """A send of `bot` to `chat` counted in its arrival windows ahead of the call (`admit`)."""

    bot: int
    chat: int
    paid: bool
    send: str
    at: float  # monotonic


# The admission of the job the current task is sending (`admit` sets it): only that job's own
# counted call uses it, never another send of this process to the same chat (a card's edit).
_ADMISSION: ContextVar[Admission | None] = ContextVar("admission", default=None)


class BotPool:
    """`await pool.call(bot, "sendMessage", params)`: Telegram's `result`, or PTB's exception."""

    def __init__(
        self,
        api_base: str,
        send_timeout: float,
        connections: int = 64,
        arrivals: Arrivals | None = None,
    ) -> None:
        self._api = api_base.rstrip("/")
        # Telegram counts a send when it arrives, and on busy workers the lag from a send's slot
        # to its arrival varies by tens of ms: a bot's sends wait for room in its arrival window
        # (a paid broadcast in the bot's paid window, beside the one its replies keep).
        self._arrivals = arrivals
        # Sends of one chat from this process ask for the chat's window in the order they came
        # (first come, first in: asyncio.Lock is FIFO), so a later one cannot overtake.
        self._queues: dict[tuple[int, int], tuple[asyncio.Lock, int]] = {}
        # Sends admitted ahead and not yet used or released, by their window entry.
        self._admitted: dict[str, Admission] = {}
        self._request = AiohttpRequest(
            connections,
            read_timeout=send_timeout,
            connect_timeout=min(send_timeout, 5.0),
            pool_timeout=send_timeout,
        )

    async def start(self) -> None:
        await self._request.initialize()

    async def stop(self) -> None:
        await self._request.shutdown()

    async def call(
        self, bot: BotRef, method: str, params: dict[str, Any], read_timeout: float | None = None
    ) -> Any:
        """One Bot API method; `params` must be JSON-ready (None values are left out)."""
        return await self._counted(
            bot, method, params, lambda: self._post(bot, method, params, read_timeout)
        )

    async def _counted(
        self,
        bot: BotRef,
        method: str,
        params: dict[str, Any],
        send: Callable[[], Awaitable[Any]],
    ) -> Any:
        """`send()` inside the bot's (and the chat's) arrival window when the method counts."""
        arrivals = self._arrivals
        if arrivals is None or not method.startswith(COUNTED):
            return await send()
        chat = params.get("chat_id")
        chat = chat if isinstance(chat, int) else None
        paid = bool(params.get("allow_paid_broadcast"))
        ahead = _ADMISSION.get()
        if ahead is not None and (ahead.bot, ahead.chat) == (bot.tg_id, chat):
            _ADMISSION.set(None)  # one call: a second one of the job asks for itself
            ahead = self._admitted.pop(ahead.send, None)
        else:
            ahead = None
        if (
            ahead is not None
            and ahead.paid == paid
            and time.monotonic() - ahead.at < ADMISSION_FRESH
        ):
            slot = ahead.send
        else:
            if ahead is not None:  # the other window, or stale: it may not stand for this call
                await self._drop(arrivals, ahead)
            slot = await self._enter(arrivals, bot.tg_id, chat, paid)
        try:
            return await send()
        finally:
            answered = arrivals.now()
            # A Redis blip here must not turn a delivered message into a failed (resent) one:
            # an entry that is not left ages out of the window on its own.
            with contextlib.suppress(RedisError, OSError):
                await arrivals.leave(bot.tg_id, slot, chat, answered=answered, paid=paid)

    async def admit(self, bot: int, chat: int, paid: bool) -> Admission | None:
        """Wait for room in the bot's and the chat's arrival windows now, for a send that comes
        later (the engine asks before its job takes a send slot, so waits for the window hold
        no send slot); None when nothing is counted. `release` it after the send."""
        arrivals = self._arrivals
        if arrivals is None:
            return None
        send = await self._enter(arrivals, bot, chat, paid)
        admission = Admission(bot, chat, paid, send, time.monotonic())
        self._admitted[send] = admission
        _ADMISSION.set(admission)
        return admission

    async def release(self, admission: Admission) -> None:
        """An admission no call used (its job was not sent): it never reached Telegram."""
        if _ADMISSION.get() is admission:
            _ADMISSION.set(None)
        if self._admitted.pop(admission.send, None) is not None:
            assert self._arrivals is not None
            await self._drop(self._arrivals, admission)

    @staticmethod
    async def _drop(arrivals: Arrivals, admission: Admission) -> None:
        # Not dropped (Redis blipped): it stops counting after its longest time in flight.
        with contextlib.suppress(RedisError, OSError):
            await arrivals.drop(admission.bot, admission.send, admission.chat, paid=admission.paid)

    async def _enter(self, arrivals: Arrivals, bot: int, chat: int | None, paid: bool) -> str:
        if chat is None:
            return await arrivals.enter(bot, paid=paid)
        key = (bot, chat)
        lock, users = self._queues.get(key) or (asyncio.Lock(), 0)
        self._queues[key] = (lock, users + 1)
        try:
            async with lock:
                return await arrivals.enter(bot, chat, paid=paid)
        finally:
            lock, users = self._queues[key]
            if users == 1:
                del self._queues[key]
            else:
                self._queues[key] = (lock, users - 1)

    async def _post(
        self, bot: BotRef, method: str, params: dict[str, Any], read_timeout: float | None
    ) -> Any:
        return await self._request.post(
            f"{self._api}/bot{bot.token}/{method}",
            JsonParams({k: v for k, v in params.items() if v is not None}),
            read_timeout=self._request.read_timeout if read_timeout is None else read_timeout,
        )

    async def upload(
        self,
        bot: BotRef,
        method: str,
        params: dict[str, Any],
        file: tuple[str, str, bytes],
        read_timeout: float | None = None,
    ) -> Any:
        """A method with one file, `file` = (field, filename, bytes): sent as multipart,
        in the same arrival windows as a text."""
        values = {k: v for k, v in params.items() if v is not None}
        return await self._counted(
            bot,
            method,
            params,
            lambda: self._request.post(
                f"{self._api}/bot{bot.token}/{method}",
                FileParams(values, *file),
                read_timeout=self._request.read_timeout if read_timeout is None else read_timeout,
            ),
        )
