"""Bots on their way out: what delivery needs to send a farewell through a bot that is no
longer active (or no longer exists), with its token sealed like every other at rest."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from store import keys
from store.crypto import SecretBox
from store.models import BotStatus, CustomBot

# Longer than a queued message may wait for its send (delivery's max_wait is a day).
KEEP_SECONDS = 7 * 86_400


class LeavingBots:
    """`keep` before the farewell is queued; delivery reads the bot back by its Telegram id."""

    def __init__(self, redis: Redis, box: SecretBox, keep_seconds: int = KEEP_SECONDS) -> None:
        self._r = redis
        self._box = box
        self._keep = keep_seconds

    async def keep(self, bot: CustomBot) -> None:
        async with self._r.pipeline(transaction=True) as pipe:
            self.keep_in(pipe, bot)
            await pipe.execute()

    def keep_in(self, pipe: Pipeline, bot: CustomBot) -> None:
        """Queue the write in `pipe` (a MULTI over the tenant's slot, e.g. with the farewell)."""
        if not bot.token:
            raise ValueError("a leaving bot is kept with its token")
        key = keys.leaving_bot(bot.tenant_id, bot.tg_id)
        pipe.hset(key, mapping={
            "id": bot.id, "name": bot.name, "username": bot.username,
            "token": self._box.seal(bot.token), "created_at": repr(bot.created_at),
        })  # fmt: skip
        pipe.expire(key, self._keep)

    async def get(self, tid: str, bot_tg_id: int) -> CustomBot | None:
        h = await self._r.hgetall(keys.leaving_bot(tid, bot_tg_id))
        if not h:
            return None
        h = {(k.decode() if isinstance(k, bytes) else k): v for k, v in h.items()}
        h = {k: v.decode() if isinstance(v, bytes) else v for k, v in h.items()}
        return CustomBot(
            tenant_id=tid,
            id=h["id"],
            name=h["name"],
            username=h["username"],
            tg_id=bot_tg_id,
            status=BotStatus.OFF,
            created_at=float(h["created_at"]),
            token=self._box.open(h["token"]),
        )
