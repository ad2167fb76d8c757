"""Missed calls, recorded once per (tenant, call id) so a PBX may safely send twice."""

from __future__ import annotations

from collections.abc import Callable

from redis.asyncio import Redis

from store import keys
from store.models import RecordedCall

# A PBX retrying for longer than this is not retrying any more.
DEDUP_SECONDS = 30 * 24 * 3600
RECENT_KEPT = 1000


class Calls:
    """The idempotent record of every accepted missed call, with a short recent list."""

    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock

    async def record(self, tid: str, call_id: str, group_id: str, payload: str) -> bool:
        """Store the call; False when this call id was already recorded for this tenant."""
        now = self._clock()
        created = await self._r.set(
            keys.call(tid, call_id),
            f"{group_id}\n{now!r}\n{payload}",
            nx=True,
            ex=DEDUP_SECONDS,
        )
        if not created:
            return False
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.zadd(keys.calls(tid), {call_id: now})
            pipe.zremrangebyrank(keys.calls(tid), 0, -RECENT_KEPT - 1)
            await pipe.execute()
        return True

    async def get(self, tid: str, call_id: str) -> RecordedCall | None:
        raw = await self._r.get(keys.call(tid, call_id))
        if raw is None:
            return None
        group_id, recorded_at, payload = raw.split("\n", 2)
        return RecordedCall(tid, call_id, group_id, payload, float(recorded_at))

    async def recent(self, tid: str, limit: int = 20) -> list[RecordedCall]:
        ids = await self._r.zrevrange(keys.calls(tid), 0, limit - 1)
        found = [await self.get(tid, cid) for cid in ids]
        return [c for c in found if c is not None]
