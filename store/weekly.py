"""The weekly report's schedule, one hash slot per atomic step.

The truth is the tenant's own key `pz:{t<id>}:weekly` (when its next report is due; absent
while the report is off), in the tenant's slot with its intake stream. `pz:weekly_due` is an
index over those keys (tenant -> due) that workers poll; it is written after the tenant key
when switching on and after it when taking a week, and only ever trusted as a hint:

- taking a due week is one script in the tenant's slot: if the tenant key still holds the due
  time the worker read, it moves to the next week AND the "weekly" intake entry is appended,
  together; so two workers never both take one week, a switch-off meanwhile takes nothing, and
  a worker that was down on Monday sends it when it is back, once;
- then the index is brought in line with the tenant key (moved on, or dropped when the report
  is off); a crash in between leaves an index entry that is early, which the next take finds
  stale and corrects. The ready mark of the intake follows (store/intake.py's order).
"""

from __future__ import annotations

from redis.asyncio import Redis

from store import keys
from store.intake import IntakeIndex, WeeklyEntry, fields_argv

# KEYS: the tenant's weekly key, its intake stream; ARGV: due read, next due, entry fields...
# Returns [taken (0/1), the due time the tenant key holds now ('' when off)].
_TAKE = """
local due = redis.call('GET', KEYS[1])
if not due then return {0, ''} end
if tonumber(due) ~= tonumber(ARGV[1]) then return {0, due} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
return {1, ARGV[2]}
"""


class WeeklyReports:
    def __init__(self, redis: Redis, intake: IntakeIndex) -> None:
        self._r = redis
        self._intake = intake
        self._take = redis.register_script(_TAKE)

    async def due_at(self, tid: str) -> float | None:
        """When the tenant's next weekly report is due; None while it is off."""
        raw = await self._r.get(keys.weekly(tid))
        return None if raw is None else float(raw)

    async def switch_on(self, tid: str, due: float) -> None:
        """On, first due at `due` (an existing schedule is kept: switching on twice is on).

        The index first (an entry without its tenant key is harmless: a take drops it), so a
        crash after the tenant key never leaves a report that is on and no worker sees."""
        await self._r.zadd(keys.WEEKLY_DUE, {tid: int(due)}, nx=True)
        if not await self._r.set(keys.weekly(tid), int(due), nx=True):
            kept = await self._r.get(keys.weekly(tid))  # already on: the index follows it
            if kept is not None:
                await self._r.zadd(keys.WEEKLY_DUE, {tid: float(kept)})

    async def switch_off(self, tid: str) -> None:
        await self._r.delete(keys.weekly(tid))
        await self._r.zrem(keys.WEEKLY_DUE, tid)

    async def due(self, now: float, limit: int = 100) -> list[tuple[str, int]]:
        """Tenants whose report the index says is due by `now`, with the due time read."""
        rows = await self._r.zrangebyscore(
            keys.WEEKLY_DUE, "-inf", now, start=0, num=limit, withscores=True
        )
        return [(tid, int(score)) for tid, score in rows]

    async def take(self, due: list[tuple[str, int, int]]) -> list[str]:
        """(tenant, due read, next due) each: the tenants this call took (see the module)."""
        taken: list[str] = []
        for tid, read, nxt in due:
            entry = WeeklyEntry(tid, int(read))
            ok, now_due = await self._take(
                keys=[keys.weekly(tid), keys.intake(tid)],
                args=[read, nxt, *fields_argv(entry)],
            )
            if ok:
                taken.append(tid)
            if now_due in ("", b""):
                await self._r.zrem(keys.WEEKLY_DUE, tid)
            else:
                await self._r.zadd(keys.WEEKLY_DUE, {tid: float(now_due)})
        await self._intake.mark(taken)
        return taken
