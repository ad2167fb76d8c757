"""Messages a bot must delete later (a freshly rotated API key): the schedule survives restarts."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from store import keys


@dataclass(frozen=True, slots=True)
class Purge:
    """One message of one bot to delete."""

    chat_id: int
    message_id: int

    def member(self) -> str:
        return f"{self.chat_id}:{self.message_id}"

    @classmethod
    def of(cls, member: str | bytes) -> Purge:
        text = member.decode() if isinstance(member, bytes) else member
        chat, message = text.split(":")
        return cls(int(chat), int(message))


class PurgeSchedule:
    """Per bot: which of its messages are due for deletion, and when."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def add(self, bot_tg_id: int, purge: Purge, due: float) -> None:
        await self._r.zadd(keys.purge(bot_tg_id), {purge.member(): due})

    async def due(self, bot_tg_id: int, now: float) -> list[Purge]:
        """Every deletion due by `now`, earliest first."""
        return [
            Purge.of(m) for m in await self._r.zrangebyscore(keys.purge(bot_tg_id), "-inf", now)
        ]

    async def done(self, bot_tg_id: int, purge: Purge) -> None:
        await self._r.zrem(keys.purge(bot_tg_id), purge.member())

    async def pending(self, bot_tg_id: int) -> int:
        """How many deletions of this bot are still scheduled (due or not)."""
        return int(await self._r.zcard(keys.purge(bot_tg_id)))
