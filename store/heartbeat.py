"""When each tenant's PBX last sent anything, when each AMI link was last connected, and the
once-flags of the «PBX silent» / «AMI link down» alarms."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from redis.asyncio import Redis

from store import keys

# A tenant's last-event time is written at most this often per process (an event burst is
# one write, not thousands).
BEAT_EVERY = 5.0


class Heartbeats:
    """`pz:heartbeat` (tenant -> last event), `pz:ami_seen` (link -> last seen connected), and
    `pz:alarms` (tenant or "ami:<link>" -> since when the alarm is raised)."""

    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock
        self._written: dict[str, float] = {}

    async def beat(self, tid: str) -> None:
        """The tenant's PBX sent something just now."""
        now = self._clock()
        if abs(now - self._written.get(tid, -BEAT_EVERY)) < BEAT_EVERY:
            return
        self._written[tid] = now
        await self._r.zadd(keys.HEARTBEAT, {tid: now}, gt=True)

    async def last_events(self) -> dict[str, float]:
        return dict(await self._r.zrange(keys.HEARTBEAT, 0, -1, withscores=True))

    async def last_event(self, tid: str) -> float | None:
        return await self._r.zscore(keys.HEARTBEAT, tid)

    async def links_seen(self, connected: Mapping[str, bool]) -> None:
        """Links connected now get the current time; a link not seen before counts from now
        (its first minute to connect is not an outage)."""
        now = self._clock()
        async with self._r.pipeline(transaction=False) as pipe:
            for link, up in connected.items():
                if up:
                    pipe.hset(keys.AMI_SEEN, link, repr(now))
                else:
                    pipe.hsetnx(keys.AMI_SEEN, link, repr(now))
            await pipe.execute()

    async def link_seen(self) -> dict[str, float]:
        return {k: float(v) for k, v in (await self._r.hgetall(keys.AMI_SEEN)).items()}

    async def forget(self, tid: str | None = None, link: str | None = None) -> None:
        if tid is not None:
            await self._r.zrem(keys.HEARTBEAT, tid)
            await self._r.hdel(keys.ALARMS, tid)
        if link is not None:
            await self._r.hdel(keys.AMI_SEEN, link)
            await self._r.hdel(keys.ALARMS, f"ami:{link}")

    async def alarms(self) -> dict[str, float]:
        return {k: float(v) for k, v in (await self._r.hgetall(keys.ALARMS)).items()}

    async def raise_alarm(self, name: str, since: float) -> None:
        await self._r.hset(keys.ALARMS, name, repr(since))

    async def clear_alarm(self, name: str) -> None:
        await self._r.hdel(keys.ALARMS, name)

    async def lock(self, seconds: float) -> bool:
        """One worker checks at a time (the lock expires by itself)."""
        return bool(await self._r.set(keys.ALARMS_LOCK, "1", nx=True, px=round(seconds * 1000)))

    async def unlock(self) -> None:
        await self._r.delete(keys.ALARMS_LOCK)
