"""The default bot's identity as the running service last learnt it (for links the CLI prints)."""

from __future__ import annotations

from redis.asyncio import Redis

from store import keys


class DefaultBot:
    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def remember(self, tg_id: int, username: str) -> None:
        await self._r.hset(keys.DEFAULT_BOT, mapping={"tg_id": str(tg_id), "username": username})

    async def tg_id(self) -> int | None:
        raw = await self._r.hget(keys.DEFAULT_BOT, "tg_id")
        return int(raw) if raw else None

    async def username(self) -> str | None:
        return await self._r.hget(keys.DEFAULT_BOT, "username") or None
