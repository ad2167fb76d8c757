"""What profile (command menu, descriptions) each bot last gave Telegram, as a digest."""

from __future__ import annotations

from redis.asyncio import Redis

from store import keys

# Registered again at least this often, so an edit made by hand in @BotFather does not last.
REFRESH_SECONDS = 7 * 86_400


class Profiles:
    """Lets a restart of 1,000 bots skip 6,000 calls that would change nothing."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def digest(self, bot_tg_id: int) -> str | None:
        return await self._r.get(keys.profile(bot_tg_id))

    async def remember(self, bot_tg_id: int, digest: str) -> None:
        await self._r.set(keys.profile(bot_tg_id), digest, ex=REFRESH_SECONDS)

    async def forget(self, bot_tg_id: int) -> None:
        await self._r.delete(keys.profile(bot_tg_id))
