"""Flood control per bot, per private chat and per group, as Telegram appears to count it.

Two models (`RateLimits.model`):

- "strict" (default): sliding windows. A send is refused while the window it would land in
  already holds the window's count: at most 30 sends of a bot in ANY 1-second window, 1 per
  second per private chat, 20 in any 60 seconds per group. Sends exactly one window apart both
  pass (a window is half-open). This is the most conservative reading of Telegram's rules, and
  the one a limiter must survive.
- "lenient": token buckets refilled at the same rates, whose capacity (`bot_burst`,
  `private_burst`, the group's 20) lets a burst through on top of the rate.

A refused send spends nothing. `retry_after` is the whole seconds until the send would pass
(at least 1, as Telegram always says). Edits count like sends (the methods decide what counts).

A bot may have its own rate (`RateLimits.bot_rates`, or `set_bot_rates` at run time), and a paid
rate for sends with `allow_paid_broadcast` (Telegram: up to 1000/s, charged in Stars): then every
send counts against the paid rate and a send without the flag also against the ordinary one.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .settings import STRICT, RateLimits

# How many acquisitions between sweeps of the windows and buckets nobody used for a while.
SWEEP_EVERY = 10_000


@dataclass
class TokenBucket:
    """A bucket of `capacity` tokens refilled at `rate` tokens per second."""

    capacity: float
    rate: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 if one is there now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token (after `wait` said 0)."""
        self.tokens -= 1

    def idle(self, now: float) -> bool:
        """Full again: forgetting it changes nothing."""
        return self.tokens + (now - self.stamp) * self.rate >= self.capacity


@dataclass
class SlidingWindow:
    """At most `count` accepted sends in any half-open window of `seconds`."""

    count: int
    seconds: float
    sent: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """Seconds until one more send fits every window that would contain it."""
        sent = self.sent
        while sent and sent[0] <= now - self.seconds:
            sent.popleft()
        if len(sent) < self.count:
            return 0.0
        # The oldest of the last `count` sends (take keeps no more) must leave the window first.
        return sent[0] + self.seconds - now

    def take(self, now: float) -> None:
        """Record an accepted send."""
        self.sent.append(now)
        if len(self.sent) > self.count:
            self.sent.popleft()

    def idle(self, now: float) -> bool:
        """Nothing inside the window any more."""
        return not self.sent or self.sent[-1] <= now - self.seconds


Limit = TokenBucket | SlidingWindow


def window_of(per_second: float) -> tuple[int, float]:
    """(count, seconds) of the window for a rate: floor(rate) in 1 s, or 1 per 1/rate s."""
    if per_second >= 1:
        return int(per_second), 1.0
    return 1, 1.0 / per_second


@dataclass(frozen=True)
class BotRates:
    """One bot's own rates; None: the default (`bot_per_second`) / no paid rate."""

    per_second: float | None = None
    paid_per_second: float | None = None

    def as_json(self) -> dict[str, float | None]:
        """The rates as the control API shows them."""
        return {"per_second": self.per_second, "paid_per_second": self.paid_per_second}


class RateLimiter:
    """Decides whether a send may go now or how many seconds the bot must wait."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic):
        self._limits = limits
        self._clock = clock
        self._strict = limits.model == STRICT
        self._limiters: dict[tuple[int, object], Limit] = {}
        self._rates: dict[int, BotRates] = {}
        self._since_sweep = 0
        self.reset()

    @property
    def model(self) -> str:
        """ "strict" or "lenient"."""
        return self._limits.model

    def reset(self) -> None:
        """Forget all spent budget and every bot's own rates set at run time."""
        self._limiters.clear()
        self._rates = {bot: BotRates(rate) for bot, rate in self._limits.bot_rates.items()}

    def set_bot_rates(self, bot_id: int, rates: BotRates) -> None:
        """Give a bot its own rates (BotRates() puts it back on the defaults)."""
        for rate in (rates.per_second, rates.paid_per_second):
            if rate is not None and not rate > 0:
                raise ValueError("a rate must be a positive number of sends per second")
        self._rates[bot_id] = rates
        # Its windows are rebuilt at the next send (what it spent so far is forgotten).
        for key in [k for k in self._limiters if k[0] == bot_id and k[1] in ("bot", "paid")]:
            del self._limiters[key]

    def bot_rates(self, bot_id: int) -> BotRates:
        """The bot's own rates (empty when it has none)."""
        return self._rates.get(bot_id, BotRates())

    def _make(self, per_second: float, burst: float, window: tuple[int, float]) -> Limit:
        if self._strict:
            return SlidingWindow(*window)
        return TokenBucket(burst, per_second, burst, self._clock())

    def _limit(self, key: tuple[int, object], per_second: float, burst: float) -> Limit:
        limit = self._limiters.get(key)
        if limit is None:
            limit = self._make(per_second, burst, window_of(per_second))
            self._limiters[key] = limit
        return limit

    def _applicable(self, bot_id: int, chat_id: int, private: bool, paid: bool) -> list[Limit]:
        lim = self._limits
        own = self.bot_rates(bot_id)
        rate, burst = lim.bot_per_second, float(lim.bot_burst)
        if own.per_second is not None:
            rate, burst = own.per_second, max(burst, own.per_second)
        out: list[Limit] = []
        if own.paid_per_second is not None:
            pr = own.paid_per_second
            out.append(self._limit((bot_id, "paid"), pr, max(lim.bot_burst, pr)))
        if own.paid_per_second is None or not paid:
            out.append(self._limit((bot_id, "bot"), rate, burst))
        if private:
            rate, burst = lim.private_per_second, lim.private_burst
            out.append(self._limit((bot_id, chat_id), rate, burst))
        else:
            key = (bot_id, chat_id)
            limit = self._limiters.get(key)
            if limit is None:
                per_minute = lim.group_per_minute
                limit = self._make(per_minute / 60.0, per_minute, (per_minute, 60.0))
                self._limiters[key] = limit
            out.append(limit)
        return out

    def acquire(self, bot_id: int, chat_id: int, chat_is_private: bool, paid: bool = False) -> int:
        """Count one send against every limit and return 0, or return retry_after and count none.

        `paid`: the send carries `allow_paid_broadcast` (only matters for a bot with a paid rate).
        """
        if not self._limits.enabled:
            return 0
        self._maybe_sweep()
        limits = self._applicable(bot_id, chat_id, chat_is_private, paid)
        now = self._clock()
        wait = max(limit.wait(now) for limit in limits)
        if wait > 0:
            # Telegram always says at least one whole second.
            return max(1, math.ceil(wait))
        for limit in limits:
            limit.take(now)
        return 0

    def _maybe_sweep(self) -> None:
        self._since_sweep += 1
        if self._since_sweep < SWEEP_EVERY:
            return
        self._since_sweep = 0
        now = self._clock()
        for key in [k for k, limit in self._limiters.items() if limit.idle(now)]:
            del self._limiters[key]
