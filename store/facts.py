"""Small facts about chats: which bots they started, and how often they typed a wrong key."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence

from redis.asyncio import Redis

from store import keys

WRONG_KEY_LIMIT = 5
WRONG_KEY_WINDOW = 600.0


class StartedBots:
    """Per (bot, chat): this chat has written to this bot, so the bot may write back."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def mark(self, bot_tg_id: int, chat_id: int) -> bool:
        return bool(await self._r.sadd(keys.started(bot_tg_id), str(chat_id)))

    async def has(self, bot_tg_id: int, chat_id: int) -> bool:
        return bool(await self._r.sismember(keys.started(bot_tg_id), str(chat_id)))

    async def forget(self, bot_tg_id: int, chat_id: int) -> None:
        await self._r.srem(keys.started(bot_tg_id), str(chat_id))

    async def has_many(self, bot_tg_id: int, chats: Sequence[int]) -> list[bool]:
        """`has` for many chats of one bot, in one round trip (in the order given)."""
        if not chats:
            return []
        flags = await self._r.smismember(keys.started(bot_tg_id), [str(c) for c in chats])
        return [bool(f) for f in flags]

    async def has_many_bots(self, bots: Sequence[int], chats: Sequence[int]) -> list[list[bool]]:
        """`has_many` for each of a few bots over the same chats, in one round trip."""
        if not chats:
            return [[] for _ in bots]
        members = [str(c) for c in chats]
        async with self._r.pipeline(transaction=False) as pipe:
            for bot_tg_id in bots:
                pipe.smismember(keys.started(bot_tg_id), members)
            return [[bool(f) for f in row] for row in await pipe.execute()]

    async def has_each(self, pairs: Sequence[tuple[int, int]]) -> list[bool]:
        """`has` for many (bot, chat) pairs, in one round trip (in the order given)."""
        if not pairs:
            return []
        async with self._r.pipeline(transaction=False) as pipe:
            for bot_tg_id, chat_id in pairs:
                pipe.sismember(keys.started(bot_tg_id), str(chat_id))
            return [bool(f) for f in await pipe.execute()]


class KeyThrottle:
    """More than WRONG_KEY_LIMIT wrong keys in WRONG_KEY_WINDOW seconds locks the chat out."""

    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock

    async def blocked_until(self, chat_id: int) -> float | None:
        now = self._clock()
        key = keys.throttle(chat_id)
        await self._r.zremrangebyscore(key, "-inf", now - WRONG_KEY_WINDOW)
        stamps = await self._r.zrange(key, 0, -1, withscores=True)
        if len(stamps) <= WRONG_KEY_LIMIT:
            return None
        # Locked until enough failures age out of the window to fall back to the limit.
        return stamps[len(stamps) - WRONG_KEY_LIMIT - 1][1] + WRONG_KEY_WINDOW

    async def failure(self, chat_id: int) -> float | None:
        """Count one wrong key; returns the time the chat may try again, if now locked."""
        now = self._clock()
        key = keys.throttle(chat_id)
        async with self._r.pipeline(transaction=True) as pipe:
            # A unique member per attempt: two wrong keys in the same instant are two attempts.
            pipe.zadd(key, {f"{now!r}:{secrets.token_hex(4)}": now})
            pipe.expire(key, int(WRONG_KEY_WINDOW) + 1)
            await pipe.execute()
        return await self.blocked_until(chat_id)

    async def clear(self, chat_id: int) -> None:
        await self._r.delete(keys.throttle(chat_id))
