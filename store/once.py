"""Once-flags: a marker that some notice was already queued (set with the notice, expiring)."""

from __future__ import annotations

from redis.asyncio import Redis


class OnceFlags:
    """Reads of a once-flag; it is set in the transaction that queues its notice (the Outbox)."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def is_set(self, flag: str) -> bool:
        return bool(await self._r.exists(flag))
