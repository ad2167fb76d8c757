"""Figures /metrics reads live from Redis, named: no scrape holds a raw client."""

from __future__ import annotations

from redis.asyncio import Redis

from store import keys


class Gauges:
    """Read-only sizes of the store's shared structures."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def intake_length(self) -> int:
        """Entries in the intake stream (accepted work not yet trimmed)."""
        return int(await self._r.xlen(keys.INTAKE))
