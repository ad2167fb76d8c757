"""Token-bucket flood control per bot, per private chat and per group, as Telegram applies it."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from .settings import RateLimits


@dataclass
class TokenBucket:
    """A bucket of `capacity` tokens refilled at `rate` tokens per second."""

    capacity: float
    rate: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last look."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for_one(self) -> float:
        """Seconds until one token is available (0 if one is there now)."""
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimiter:
    """Decides whether a send may go now or how many seconds the bot must wait."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic):
        self._limits = limits
        self._clock = clock
        self._buckets: dict[tuple[int, int | None], TokenBucket] = {}

    def reset(self) -> None:
        """Forget all spent budget."""
        self._buckets.clear()

    def _bucket(self, key: tuple[int, int | None], capacity: float, rate: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(capacity, rate, capacity, self._clock())
            self._buckets[key] = bucket
        return bucket

    def acquire(self, bot_id: int, chat_id: int, chat_is_private: bool) -> int:
        """Take one token from every bucket and return 0, or return retry_after and take none."""
        if not self._limits.enabled:
            return 0
        lim = self._limits
        if chat_is_private:
            chat_bucket = self._bucket((bot_id, chat_id), lim.private_burst, lim.private_per_second)
        else:
            chat_bucket = self._bucket(
                (bot_id, chat_id), lim.group_per_minute, lim.group_per_minute / 60.0
            )
        buckets = [self._bucket((bot_id, None), lim.bot_burst, lim.bot_per_second), chat_bucket]
        now = self._clock()
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait_for_one() for bucket in buckets)
        if wait > 0:
            # Telegram always says at least one whole second.
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return 0
