"""The emulator's composed state: world, limits, faults, logs and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from .faults import FaultBook
from .limits import RateLimiter
from .settings import EmulatorSettings
from .state import World
from .webhook import WebhookSender


class Emulator:
    """Everything one emulator app holds; the HTTP layers only translate to and from it."""

    def __init__(
        self, settings: EmulatorSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.world = World(settings.event_log_limit)
        self.limiter = RateLimiter(settings.limits, clock)
        self.faults = FaultBook()
        self.webhooks = WebhookSender(settings)
        self.api_log: deque[dict[str, Any]] = deque(maxlen=settings.api_log_limit)
        self._api_seq = 0
        self.closing = asyncio.Event()

    def log_call(self, entry: dict[str, Any]) -> None:
        """Keep a bounded raw log of Bot API calls (never tokens)."""
        self._api_seq += 1
        self.api_log.append({"seq": self._api_seq, "time": time.time(), **entry})

    def _wake_everyone(self, world: World) -> None:
        for bot in world.bots.values():
            bot.gone = True
            bot.updates.signal.fire()
        world.changed.fire()

    def reset(self) -> None:
        """Forget everything: bots, users, chats, messages, faults, budgets and logs."""
        old = self.world
        for bot_id in list(old.bots):
            self.webhooks.stop(bot_id)
        self.world = World(self.settings.event_log_limit)
        self._wake_everyone(old)
        self.limiter.reset()
        self.faults.clear()
        self.api_log.clear()

    async def sleep(self, seconds: float) -> None:
        """Sleep, but end early when the server shuts down."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closing.wait(), seconds)

    async def close(self) -> None:
        """Release every waiter and stop webhook delivery; safe to call twice."""
        self.closing.set()
        self._wake_everyone(self.world)
        self.world.changed.close()
        for bot in self.world.bots.values():
            bot.updates.signal.close()
        await self.webhooks.close()
