"""Decided missed calls waiting for delivery: kept until the callback succeeds."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from connectors.asterisk.backoff import backoff_delay
from store.events import CallEvent, FollowUp

# Missed calls, and answered and outbound ones for the follow-up loop, in decision order.
OnMissed = Callable[[CallEvent | FollowUp], Awaitable[None]]


@dataclass(slots=True)
class OutboxStats:
    """Delivery counters."""

    delivered: int = 0
    failures: int = 0
    dropped: int = 0


class Outbox:
    """FIFO of missed calls, delivered one at a time; a failing callback is retried."""

    def __init__(
        self,
        on_missed: OnMissed,
        *,
        retry_min: float,
        retry_max: float,
        max_pending: int,
        rng: random.Random,
        log: logging.Logger,
        label: str,
    ) -> None:
        self._on_missed = on_missed
        self._retry = (retry_min, retry_max)
        self._max = max_pending
        self._rng = rng
        self._log = log
        self._label = label
        self._queue: deque[CallEvent | FollowUp] = deque()
        self._wake = asyncio.Event()
        self.stats = OutboxStats()

    def __len__(self) -> int:
        return len(self._queue)

    def pending(self) -> list[CallEvent | FollowUp]:
        """Missed calls not yet delivered, oldest first."""
        return list(self._queue)

    def put(self, event: CallEvent | FollowUp) -> None:
        """Queue a missed call; past the cap the oldest is dropped, loudly."""
        if len(self._queue) >= self._max:
            lost = self._queue.popleft()
            self.stats.dropped += 1
            self._log.error("ami[%s] outbox full, dropped call %s", self._label, lost.call_id)
        self._queue.append(event)
        self._wake.set()

    async def run(self) -> None:
        """Deliver forever, in order; a call leaves the queue only once the callback returned."""
        attempt = 0
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            event = self._queue[0]
            try:
                await self._on_missed(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.stats.failures += 1
                delay = backoff_delay(attempt, *self._retry, self._rng)
                attempt += 1
                self._log.warning(
                    "ami[%s] delivering call %s failed (%s), retry in %.1fs",
                    self._label,
                    event.call_id,
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            attempt = 0
            if self._queue and self._queue[0] is event:
                self._queue.popleft()
            self.stats.delivered += 1
