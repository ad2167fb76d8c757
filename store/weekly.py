"""The weekly report's schedule: `pz:weekly_due`, tenant -> when its next report is due
(epoch seconds). A tenant is in it exactly while its weekly report is on.

Taking a due report is one script per batch: for each tenant whose score is still the one the
worker read, the next week's time replaces it AND a "weekly" intake entry is added, together;
so two workers never both take one week, a crash never loses one (the entry is durable before
anything is drawn), and a worker that was down on Monday sends it when it is back, once.
"""

from __future__ import annotations

from redis.asyncio import Redis

from store import keys

# KEYS: the schedule, the intake stream; ARGV: triples (tenant, due read, next due).
_TAKE = """
local taken = {}
for i = 1, #ARGV, 3 do
  local tid, due, nxt = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local score = redis.call('ZSCORE', KEYS[1], tid)
  if score and tonumber(score) == tonumber(due) then
    redis.call('ZADD', KEYS[1], nxt, tid)
    redis.call('XADD', KEYS[2], '*', 'kind', 'weekly', 'tenant', tid, 'until', due)
    taken[#taken + 1] = tid
  end
end
return taken
"""


class WeeklyReports:
    def __init__(self, redis: Redis) -> None:
        self._r = redis
        self._take = redis.register_script(_TAKE)

    async def due_at(self, tid: str) -> float | None:
        """When the tenant's next weekly report is due; None while it is off."""
        score = await self._r.zscore(keys.WEEKLY_DUE, tid)
        return None if score is None else float(score)

    async def switch_on(self, tid: str, due: float) -> None:
        """On, first due at `due` (an existing schedule is kept: switching on twice is on)."""
        await self._r.zadd(keys.WEEKLY_DUE, {tid: int(due)}, nx=True)

    async def switch_off(self, tid: str) -> None:
        await self._r.zrem(keys.WEEKLY_DUE, tid)

    async def due(self, now: float, limit: int = 100) -> list[tuple[str, int]]:
        """Tenants whose report is due by `now`, with the due time read."""
        rows = await self._r.zrangebyscore(
            keys.WEEKLY_DUE, "-inf", now, start=0, num=limit, withscores=True
        )
        return [(tid, int(score)) for tid, score in rows]

    async def take(self, due: list[tuple[str, int, int]]) -> list[str]:
        """(tenant, due read, next due) each: the tenants this call took (see the module)."""
        if not due:
            return []
        args = [v for row in due for v in row]
        return list(await self._take(keys=[keys.WEEKLY_DUE, keys.INTAKE], args=args))
