"""Missed calls, recorded once per (tenant, call id) and queued in the same atomic step."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from redis.asyncio import Redis

from store import keys
from store.caller_names import from_payload
from store.durability import Ack, Replication
from store.errors import NotReplicated
from store.intake import CALL_FIELDS, CallEntry, IntakeIndex, fields_argv
from store.models import RecordedCall

# A PBX retrying for longer than this is not retrying any more.
DEDUP_SECONDS = 30 * 24 * 3600
RECENT_KEPT = 1000

# Records one new call: its key (group, time, payload), its place in the calls index and its
# entry in the tenant's intake stream (`entry`: the encoded CallEntry's field/value pairs). Shared
# by _RECORD and the fold script that records a missed call itself (store/pbx_calls.py).
RECORD_CALL_LUA = """
local function record_call(index, stream, key, now, ttl, gid, payload, cid, entry)
  redis.call('SET', key, gid .. '\\n' .. now .. '\\n' .. payload, 'EX', ttl)
  redis.call('ZADD', index, now, cid)
  redis.call('XADD', stream, '*', unpack(entry))
end
"""

# One script instead of WATCH/MGET/MULTI: one round trip, and on a Cluster one single-slot
# call (every key is the tenant's) instead of a transaction pipeline, which redis-py runs a
# command at a time. KEYS: the calls index, the tenant's intake stream, its caller names
# (store/caller_names.py), then one call key per id. ARGV: now, ttl, kept, the number of
# caller names n, n digits/name pairs, then per id: record? (1/0), group, payload, and the
# encoded CallEntry's field/value pairs (store/intake.py). Returns the ids recorded before.
_RECORD = (
    RECORD_CALL_LUA
    + f"""
local now, ttl, kept, named = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local width = 3 + {CALL_FIELDS}
local known, fresh = {{}}, 0
if named > 0 then
  redis.call('HSET', KEYS[3], unpack(ARGV, 5, 4 + 2 * named))
end
for i = 4, #KEYS do
  local a = 5 + 2 * named + (i - 4) * width
  local entry = {{unpack(ARGV, a + 3, a + width - 1)}}
  if redis.call('EXISTS', KEYS[i]) == 1 then
    known[#known + 1] = entry[6]
  elseif ARGV[a] == '1' then
    record_call(KEYS[1], KEYS[2], KEYS[i], now, ttl, ARGV[a + 1], ARGV[a + 2], entry[6], entry)
    fresh = fresh + 1
  end
end
if fresh > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -kept - 1)
end
return known
"""
)


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
        self._record = redis.register_script(_RECORD)

    async def record(self, tid: str, call_id: str, group_id: str, payload: str) -> bool:
        """Store and queue the call atomically; False when this call id was already recorded."""
        return call_id not in await self.record_many(tid, {call_id: (group_id, payload)})

    async def record_many(
        self, tid: str, calls: Mapping[str, tuple[str, str]], also_check: Sequence[str] = ()
    ) -> set[str]:
        """Record and queue every call id -> (group id, payload) not yet recorded, in one
        script; returns which of those ids and of `also_check` were recorded before.
        Where the primary has replicas, returns once one has them; NotReplicated when none
        did within REDIS_REPLICA_WAIT_MS (the calls are recorded, but not yet safe)."""
        ids = list(dict.fromkeys([*calls, *also_check]))
        if not ids:
            return set()

        if not calls:
            found = await self._r.mget([keys.call(tid, cid) for cid in ids])
            return {cid for cid, hit in zip(ids, found, strict=True) if hit is not None}
        # The name a PBX gave a caller, kept for a PBX that later asks who is calling.
        names = dict(n for n in map(from_payload, (p for _, p in calls.values())) if n)
        argv: list[object] = [self.now(), DEDUP_SECONDS, RECENT_KEPT, len(names)]
        for pair in names.items():
            argv += pair
        for cid in ids:
            if cid in calls:
                group_id, payload = calls[cid]
                argv += ["1", group_id, payload, *fields_argv(CallEntry(tid, cid))]
            else:
                argv += ["0", "", "", *fields_argv(CallEntry(tid, cid))]
        found = await self._record(
            keys=[
                keys.calls(tid),
                keys.intake(tid),
                keys.caller_names(tid),
                *(keys.call(tid, cid) for cid in ids),
            ],
            args=argv,
        )
        known = set(found)
        await self.settle(tid, fresh=any(cid not in known for cid in calls))
        return known

    def now(self) -> str:
        """The time a call recorded now is recorded at, as the scripts take it."""
        return repr(self._clock())

    async def settle(self, tid: str, *, fresh: bool) -> None:
        """After a script recorded calls (`fresh`) or found them recorded: wake the workers,
        and return only once a replica has them, where there is one (NotReplicated if none
        did within REDIS_REPLICA_WAIT_MS: the calls are recorded, but not yet safe)."""
        if fresh:
            await self._intake.mark([tid])
        # Before the caller says "accepted": on a replica too, where there is one. A repeat of
        # a call refused for want of a replica waits again rather than answer "duplicate".
        if fresh or self._replication.lagging:
            if await self._replication.confirm(keys.calls(tid)) is Ack.TIMED_OUT:
                raise NotReplicated(
                    f"no replica acknowledged within {self._replication.wait_ms} ms"
                )

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
