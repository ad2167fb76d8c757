"""One sending budget per bot token, shared by the engine and the bots' replies, in Redis.

The engine's claim script takes its tokens itself; a reply from a handler (the PTB rate limiter
in `bot/ratelimit.py`) reserves its slot here, from the same keys, so a broadcast and a crowd of
commands never exceed a token's rate together. Per-bot rates (a bot marked for paid broadcasts:
up to 1000/s) live here too.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from delivery import keys
from delivery.policy import Limits
from delivery.scripts import ACQUIRE, PRELUDE, THROTTLE

# Telegram's ceiling for a bot with paid broadcasts switched on.
PAID_MAX_PER_SECOND = 1000.0


def clock_arg(clock: Callable[[], float] | None) -> str:
    """The time the scripts run at: '' for Redis TIME (one clock for every worker), or ms."""
    return "" if clock is None else f"{clock() * 1000.0:.3f}"


class RedisClock:
    """Our wall clock's reading of a time on the scripts' clock (Redis TIME), NTP-style.

    A slot is a time on Redis's clock; counting its wait from when the answer reached us would
    add that answer's delay, which differs from call to call on a busy event loop, so sends
    reserved 34 ms apart could leave together. The offset is the largest `redis now - our time
    after the answer` seen lately: the answer with the least delay bounds it best.
    """

    WINDOW = 30.0  # seconds an estimate is kept before a fresh one replaces it

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._offset: float | None = None
        self._since = 0.0

    def observe(self, redis_ms: float) -> None:
        """Call right after an answer that carries the script's `now`."""
        here = self._wall()
        offset = redis_ms / 1000.0 - here
        if self._offset is None or offset > self._offset or here - self._since > self.WINDOW:
            self._offset, self._since = offset, here

    def local(self, redis_ms: float) -> float:
        """Our wall time for a time on the scripts' clock."""
        return redis_ms / 1000.0 - (self._offset or 0.0)

    def until(self, redis_ms: float) -> float:
        """Seconds from now until a time on the scripts' clock."""
        return self.local(redis_ms) - self._wall()


@dataclass(frozen=True, slots=True)
class Pace:
    """A bot's own rate; `paid`: it sends with `allow_paid_broadcast` (charged in Stars)."""

    per_second: float
    paid: bool = False


class BotPace:
    """Per-bot rates by Telegram bot id; a bot without one sends at `Limits.bot_per_second`."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def set(self, bot_id: int, pace: Pace) -> None:
        if not 0 < pace.per_second <= PAID_MAX_PER_SECOND:
            raise ValueError("a bot's rate must be in (0, 1000] messages per second")
        await self._r.hset(
            keys.pace(bot_id), mapping={"rate": repr(pace.per_second), "paid": int(pace.paid)}
        )

    async def get(self, bot_id: int) -> Pace | None:
        h = await self._r.hgetall(keys.pace(bot_id))
        return Pace(float(h["rate"]), h.get("paid") == "1") if h else None

    async def clear(self, bot_id: int) -> None:
        await self._r.delete(keys.pace(bot_id))


class ArrivalWindow:
    """At most `count` sends of this process in any `seconds` window as Telegram counts them,
    at arrival, however late each request reaches it after its slot.

    Evenly spaced slots only keep Telegram's windows if every request takes the same time to
    arrive; on a busy event loop the first sends of a crowd reach Telegram tens of ms late and
    the 31st on time (a 429 in a strict window). A send may arrive at any moment between its
    start and its answer, so one may start only while fewer than `count` others were in flight
    or answered within the last `seconds`: then no window can hold more than `count`.
    """

    def __init__(
        self, count: int, seconds: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.count = max(1, count)
        self.seconds = seconds
        self._clock = clock
        self._answered: deque[float] = deque()  # answer times, oldest first
        self.in_flight = 0
        self._settled = asyncio.Event()

    def wait(self, now: float) -> float | None:
        """Seconds until a send may start (0: now; None: when a send in flight is answered)."""
        answered = self._answered
        while answered and answered[0] <= now - self.seconds:
            answered.popleft()
        over = self.in_flight + len(answered) - self.count + 1
        if over <= 0:
            return 0.0
        if over > len(answered):
            return None
        # the `over` oldest answers must leave the window first (a window is half-open)
        return answered[over - 1] + self.seconds - now

    def start(self) -> None:
        self.in_flight += 1

    def done(self, now: float) -> None:
        """A send started by `start` was answered (or failed) at `now`."""
        self.in_flight -= 1
        self._answered.append(now)
        if len(self._answered) > self.count:
            self._answered.popleft()
        self._settled.set()

    async def enter(self) -> None:
        """Wait until a send may start, and count it as started."""
        while (wait := self.wait(self._clock())) != 0:
            self._settled.clear()
            if wait is None:
                await self._settled.wait()
            else:
                await asyncio.sleep(wait)
        self.start()

    def leave(self) -> None:
        self.done(self._clock())


class Budget:
    """Reserve reply slots from a token's (and a chat's) budget; slow a token after a 429."""

    def __init__(
        self, redis: Redis, limits: Limits, clock: Callable[[], float] | None = None
    ) -> None:
        self.limits = limits
        self._argv = limits.reply_argv()
        self._clock = clock
        self.clock = RedisClock()
        self._acquire = redis.register_script(PRELUDE + ACQUIRE)
        self._throttle = redis.register_script(PRELUDE + THROTTLE)

    async def acquire(self, bot_id: int, chat_id: int | None) -> tuple[bool, float]:
        """(True, seconds until the slot reserved for this send), or (False, seconds to wait
        before asking again: the bot is paused or the chat's next slot is later)."""
        res = await self._acquire(
            keys=[],
            args=[
                keys.P,
                clock_arg(self._clock),
                bot_id,
                "" if chat_id is None else chat_id,
                *self._argv,
            ],
        )
        now, wait = float(res[2]), float(res[1])
        if self._clock is not None:  # a driven clock: no answer delay to take out
            return res[0] == 1, wait / 1000.0
        self.clock.observe(now)
        # counted from the script's now, not from when its answer reached us
        return res[0] == 1, max(0.0, self.clock.until(now + wait))

    async def throttle(self, bot_id: int, retry_after: float) -> float:
        """A 429: pause the token for `retry_after` s and cut its rate by `Limits.backoff`
        (recovering by `Limits.recovery` per second); returns the fraction of its rate now."""
        lim = self.limits
        res = await self._throttle(
            keys=[],
            args=[
                keys.P,
                clock_arg(self._clock),
                bot_id,
                lim.backoff,
                lim.floor,
                1.0 - lim.margin,
                f"{lim.recovery / 1000.0:.9f}",
                max(1, round(retry_after * 1000)),
            ],
        )
        return float(res)
