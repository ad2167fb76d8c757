"""Missed calls, recorded once per (tenant, call id) and queued in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from redis.asyncio import Redis

from store import keys
from store._tx import atomically
from store.durability import Ack, Replication
from store.errors import NotReplicated
from store.intake import CallEntry, IntakeIndex, append
from store.models import RecordedCall

# A PBX retrying for longer than this is not retrying any more.
DEDUP_SECONDS = 30 * 24 * 3600
RECENT_KEPT = 1000


class Calls:
    """The idempotent record of every accepted missed call, and its entry in the intake stream."""

    def __init__(
        self,
        redis: Redis,
        clock: Callable[[], float],
        replication: Replication | None = None,
        intake: IntakeIndex | None = None,
    ) -> None:
        self._r = redis
        self._clock = clock
        self._replication = replication or Replication(redis)
        self._intake = intake or IntakeIndex(redis)

    async def record(self, tid: str, call_id: str, group_id: str, payload: str) -> bool:
        """Store and queue the call atomically; False when this call id was already recorded."""
        return call_id not in await self.record_many(tid, {call_id: (group_id, payload)})

    async def record_many(
        self, tid: str, calls: Mapping[str, tuple[str, str]], also_check: Sequence[str] = ()
    ) -> set[str]:
        """Record and queue every call id -> (group id, payload) not yet recorded, in one
        transaction; returns which of those ids and of `also_check` were recorded before.
        Where the primary has replicas, returns once one has them; NotReplicated when none
        did within REDIS_REPLICA_WAIT_MS (the calls are recorded, but not yet safe)."""
        ids = list(dict.fromkeys([*calls, *also_check]))
        if not ids:
            return set()

        async def body(pipe) -> set[str]:
            # One MGET instead of an EXISTS per call: a command costs more than its reply here.
            # Sent as a raw command: a cluster pipeline's `mget` method refuses to run (it would
            # split by slot), the command itself is fine for keys of one slot.
            call_keys = [keys.call(tid, cid) for cid in ids]
            found = await (
                pipe.execute_command("MGET", *call_keys) if pipe else self._r.mget(call_keys)
            )
            known = {cid for cid, hit in zip(ids, found, strict=True) if hit is not None}
            new = [cid for cid in calls if cid not in known]
            if not new:
                return known
            now = self._clock()
            pipe.multi()
            for cid in new:
                group_id, payload = calls[cid]
                pipe.set(keys.call(tid, cid), f"{group_id}\n{now!r}\n{payload}", ex=DEDUP_SECONDS)
            pipe.zadd(keys.calls(tid), dict.fromkeys(new, now))
            pipe.zremrangebyrank(keys.calls(tid), 0, -RECENT_KEPT - 1)
            for cid in new:
                append(CallEntry(tid, cid), pipe)
            return known

        if not calls:
            return await body(None)
        known = await atomically(self._r, [keys.call(tid, cid) for cid in calls], body)
        if any(cid not in known for cid in calls):
            await self._intake.mark([tid])
        # Before the caller says "accepted": on a replica too, where there is one. A repeat of
        # a call refused for want of a replica waits again rather than answer "duplicate".
        if any(cid not in known for cid in calls) or self._replication.lagging:
            if await self._replication.confirm(keys.calls(tid)) is Ack.TIMED_OUT:
                raise NotReplicated(
                    f"no replica acknowledged within {self._replication.wait_ms} ms"
                )
        return known

    async def get(self, tid: str, call_id: str) -> RecordedCall | None:
        return _record(tid, call_id, await self._r.get(keys.call(tid, call_id)))

    async def recent(self, tid: str, limit: int = 20) -> list[RecordedCall]:
        ids = await self._r.zrevrange(keys.calls(tid), 0, limit - 1)
        if not ids:
            return []
        raws = await self._r.mget([keys.call(tid, cid) for cid in ids])
        found = [_record(tid, cid, raw) for cid, raw in zip(ids, raws, strict=True)]
        return [c for c in found if c is not None]


def _record(tid: str, call_id: str, raw: str | None) -> RecordedCall | None:
    if raw is None:
        return None
    group_id, recorded_at, payload = raw.split("\n", 2)
    return RecordedCall(tid, call_id, group_id, payload, float(recorded_at))
