"""One sending budget per bot token, shared by the engine and the bots' replies, in Redis.

The engine's claim script takes its tokens itself; a reply from a handler (the PTB rate limiter
in `bot/ratelimit.py`) reserves its slot here, from the same keys, so a broadcast and a crowd of
commands never exceed a token's rate together. Per-bot rates (a bot marked for paid broadcasts:
up to 1000/s) live here too.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from delivery import keys
from delivery.coalesce import GroupCommit
from delivery.policy import Limits
from delivery.scripts import ACQUIRE, ANSWERED_MANY, ARRIVE_MANY, PRELUDE, THROTTLE
from store import Store
from store.errors import InvalidInput

# Telegram's ceiling for a bot with paid broadcasts switched on.
PAID_MAX_PER_SECOND = 1000.0
# Telegram's free ceiling per bot: a faster pace needs paid broadcasts (charged in Stars).
FREE_MAX_PER_SECOND = 30.0


class BadPace(InvalidInput, ValueError):
    """A rate out of (0, 1000] messages/s, or above the free ceiling without paid broadcasts."""


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

    @classmethod
    def checked(cls, per_second: float, paid: bool) -> Pace:
        """A pace an operator may set: above the free ceiling only with paid broadcasts."""
        if not 0 < per_second <= PAID_MAX_PER_SECOND:
            raise BadPace(f"a bot's rate must be more than 0 and at most {PAID_MAX_PER_SECOND:g}")
        if per_second > FREE_MAX_PER_SECOND and not paid:
            raise BadPace(
                f"a rate above {FREE_MAX_PER_SECOND:g}/s needs paid broadcasts on "
                "(charged in Telegram Stars)"
            )
        return cls(per_second, paid)


class BotPace:
    """Per-bot rates by Telegram bot id; a bot without one sends at `Limits.bot_per_second`."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    @classmethod
    def of(cls, store: Store) -> BotPace:
        """Over the store's Redis: the CLI and the admin menu hold no raw client."""
        return cls(store.redis)

    async def set(self, bot_id: int, pace: Pace) -> None:
        if not 0 < pace.per_second <= PAID_MAX_PER_SECOND:
            raise BadPace("a bot's rate must be in (0, 1000] messages per second")
        await self._r.hset(
            keys.pace(bot_id), mapping={"rate": repr(pace.per_second), "paid": int(pace.paid)}
        )

    async def get(self, bot_id: int) -> Pace | None:
        h = await self._r.hgetall(keys.pace(bot_id))
        return Pace(float(h["rate"]), h.get("paid") == "1") if h else None

    async def clear(self, bot_id: int) -> None:
        await self._r.delete(keys.pace(bot_id))


class Arrivals:
    """At most a bot's `count` sends in any second as Telegram counts them, at arrival, across
    every process, however late each request reaches Telegram after its slot.

    Evenly spaced slots keep Telegram's windows only if every request takes the same time to
    arrive; on busy workers the lag varies by tens of ms, and the late send of one worker shares
    a window with the on-time 31st of another (a 429 in a strict window, and the token is
    slowed for half a minute). A send may arrive at any moment between its start and its answer,
    so one starts only while fewer than `count` others were in flight or answered within the
    last second (a bot with a rate of its own: that many): then no window holds more.

    A paid broadcast (`paid`: it carries `allow_paid_broadcast`) counts in a window of its own,
    of the bot's paid rate less `count`: Telegram counts every send of the bot against the paid
    rate, and the others (replies) keep their `count` in the ordinary window beside it.
    """

    def __init__(
        self,
        redis: Redis,
        count: int,
        *,
        chats: Limits | None = None,
        in_flight: float = 30.0,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.count = max(1, count)
        self._redis = redis
        self._argv = [str(self.count), "1000", f"{in_flight * 1000.0:.0f}"]
        self._no_chat = ["", ""]
        # With `chats`: a chat's window too.
        self._chats = chats
        self._clock = clock
        self._sleep = sleep
        self._arrive = redis.register_script(ARRIVE_MANY)
        # Concurrent sends ask in one script call, each in turn as if alone (every one sees the
        # sends counted before it), so a batch decides what the same calls one by one would.
        self._enters: GroupCommit[tuple[list[str], str, str, list[str]]] = GroupCommit(
            self._enter_many
        )
        self._answered = redis.register_script(ANSWERED_MANY)
        # Concurrent sends' answers share one script call (two scripts per send showed as a
        # fifth of a worker's time); each `leave` still returns only once its own is written.
        self._leaves: GroupCommit[tuple[list[str], str, float | None]] = GroupCommit(
            self._leave_many
        )

    @classmethod
    def of(cls, store: Store, count: int, *, chats: Limits | None = None) -> Arrivals:
        """Over the store's Redis: the bot runtime's replies share the engine's windows."""
        return cls(store.redis, count, chats=chats)

    def _keys(self, bot_id: int, chat_id: int | None, paid: bool) -> list[str]:
        own = keys.paid_arrivals(bot_id) if paid else keys.arrivals(bot_id)
        if self._chats is None or chat_id is None:
            return [own]
        return [own, keys.arrivals(bot_id, chat_id)]

    def _chat_argv(self, chat_id: int) -> list[str]:
        # One send per interval (1 s per private chat, 3 s per group): never two of one chat in
        # flight at once, so they also arrive in the order they left.
        lim = self._chats
        assert lim is not None
        per_second = lim.group_per_minute / 60.0 if chat_id < 0 else lim.private_per_second
        return ["1", f"{1000.0 / per_second:.3f}"]

    async def try_enter(
        self, bot_id: int, send: str, chat_id: int | None = None, *, paid: bool = False
    ) -> float:
        """0: the send is counted and may start now; else seconds before asking again."""
        ks = self._keys(bot_id, chat_id, paid)
        ks.insert(1, keys.pace(bot_id))
        chat = self._no_chat if chat_id is None or len(ks) < 3 else self._chat_argv(chat_id)
        return float(await self._enters((ks, send, "1" if paid else "0", chat))) / 1000.0

    async def _enter_many(self, sends: list[tuple[list[str], str, str, list[str]]]) -> list[str]:
        ks: list[str] = []
        argv = [clock_arg(self._clock), *self._argv]
        for send_keys, send, paid, chat in sends:
            ks += send_keys
            argv += [str(len(send_keys)), send, paid, *chat]
        return list(await self._arrive(keys=ks, args=argv))

    async def enter(self, bot_id: int, chat_id: int | None = None, *, paid: bool = False) -> str:
        """Wait until a send of the bot (to the chat) may start; returns its id for `leave`."""
        send = secrets.token_hex(8)
        while (wait := await self.try_enter(bot_id, send, chat_id, paid=paid)) > 0:
            await self._sleep(wait)
        return send

    def now(self) -> float:
        """The time on the clock `leave`'s `answered` is read from."""
        return (self._clock or time.time)()

    async def leave(
        self,
        bot_id: int,
        send: str,
        chat_id: int | None = None,
        answered: float | None = None,
        *,
        paid: bool = False,
    ) -> None:
        """The send was answered (or failed) at `answered` (our clock; None: now): it reached
        Telegram by then, if at all. `chat_id` and `paid` as it entered."""
        await self._leaves((self._keys(bot_id, chat_id, paid), send, answered))

    async def drop(
        self, bot_id: int, send: str, chat_id: int | None = None, *, paid: bool = False
    ) -> None:
        """The send entered but was never made: it leaves the windows at once."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in self._keys(bot_id, chat_id, paid):
                pipe.zrem(key, send)
            await pipe.execute()

    async def _leave_many(self, sends: list[tuple[list[str], str, float | None]]) -> None:
        # The script counts each as answered at Redis's now less what our clock says passed
        # since its answer, read here, just before the call: the wait for a connection, a busy
        # loop or the batch ahead no longer holds the window, and a time on our clock is never
        # compared with one on Redis's.
        now = self.now()
        ks: list[str] = []
        argv = [clock_arg(self._clock)]
        for send_keys, send, answered in sends:
            elapsed = 0.0 if answered is None else max(0.0, now - answered)
            ks += send_keys
            argv += [str(len(send_keys)), send, f"{elapsed * 1000:.3f}"]
        await self._answered(keys=ks, args=argv)


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
        self.arrivals = Arrivals(redis, int(limits.bot_per_second), clock=clock)

    @classmethod
    def of(cls, store: Store, limits: Limits) -> Budget:
        """Over the store's Redis: the bot runtime shares it without holding a raw client."""
        return cls(store.redis, limits)

    async def acquire(self, bot_id: int, chat_id: int | None) -> tuple[bool, float]:
        """(True, seconds until the slot reserved for this send), or (False, seconds to wait
        before asking again: the bot is paused or the chat's next slot is later)."""
        res = await self._acquire(
            keys=[keys.pause(bot_id)],
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
            keys=[keys.slow(bot_id)],
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
