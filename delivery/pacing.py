"""One sending budget per bot token, shared by the engine and the bots' replies, in Redis.

The engine's claim script takes its tokens itself; a reply from a handler (the PTB rate limiter
in `bot/ratelimit.py`) reserves its slot here, from the same keys, so a broadcast and a crowd of
commands never exceed a token's rate together. Per-bot rates (a bot marked for paid broadcasts:
up to 1000/s) live here too.
"""

from __future__ import annotations

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


class Budget:
    """Reserve send slots from a token's (and a chat's) budget; slow a token after a 429."""

    def __init__(
        self, redis: Redis, limits: Limits, clock: Callable[[], float] | None = None
    ) -> None:
        self.limits = limits
        self._argv = limits.argv()
        self._clock = clock
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
        return res[0] == 1, float(res[1]) / 1000.0

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
