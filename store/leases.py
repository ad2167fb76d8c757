"""Leases in Redis: one runtime instance at a time serves a bot token, so none gets 409s."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import WatchError

from store import keys
from store._tx import tx_client

CLUSTER_CONCURRENCY = 16
# Compare-and-extend of one lease key; one key per call, so it runs on a Cluster too.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class Leases:
    """Time-limited ownership of bots by one `owner`; renewed while held, free when it dies."""

    def __init__(self, redis: Redis, owner: str, ttl: float) -> None:
        if ttl <= 0:
            raise ValueError("lease ttl must be positive")
        self._r = redis
        self.owner = owner
        self.ttl = ttl
        self._renew = redis.register_script(_RENEW)

    @property
    def _ms(self) -> int:
        return max(1, int(self.ttl * 1000))

    async def acquire(self, bot_tg_id: int) -> bool:
        """Take the lease if it is free (or already ours, which renews it)."""
        if await self._r.set(keys.lease(bot_tg_id), self.owner, nx=True, px=self._ms):
            return True
        return await self.renew(bot_tg_id)

    async def renew(self, bot_tg_id: int) -> bool:
        """Extend our lease; False when it expired and someone else (or nobody) holds it."""
        return await self._if_ours(bot_tg_id, lambda pipe, key: pipe.pexpire(key, self._ms))

    async def renew_many(self, bot_tg_ids: Iterable[int]) -> set[int]:
        """Extend every lease of ours among them in one round trip; returns those kept."""
        ids = list(bot_tg_ids)
        if not ids:
            return set()
        args = [self.owner, self._ms]
        if isinstance(self._r, RedisCluster):
            # redis-py refuses scripts in a Cluster pipeline: bounded concurrent calls instead.
            gate = asyncio.Semaphore(CLUSTER_CONCURRENCY)

            async def one(tg_id: int) -> int:
                async with gate:
                    return await self._renew(keys=[keys.lease(tg_id)], args=args)

            replies = await asyncio.gather(*(one(tg_id) for tg_id in ids))
        else:
            async with self._r.pipeline(transaction=False) as pipe:
                for tg_id in ids:
                    await self._renew(keys=[keys.lease(tg_id)], args=args, client=pipe)
                replies = await pipe.execute()
        return {tg_id for tg_id, kept in zip(ids, replies, strict=True) if kept}

    async def release(self, bot_tg_id: int) -> bool:
        """Give the lease up at once, only if it is still ours."""
        return await self._if_ours(bot_tg_id, lambda pipe, key: pipe.delete(key))

    async def holder(self, bot_tg_id: int) -> str | None:
        return await self._r.get(keys.lease(bot_tg_id))

    async def _if_ours(self, bot_tg_id: int, write) -> bool:
        key = keys.lease(bot_tg_id)
        # Compare-and-set with WATCH: works on every Redis, fakeredis included (no Lua needed).
        client = await tx_client(self._r, key)  # on a Cluster: the slot's master
        for _ in range(10):
            async with client.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    if await pipe.get(key) != self.owner:
                        return False
                    pipe.multi()
                    write(pipe, key)
                    await pipe.execute()
                    return True
                except WatchError:
                    continue
        return False
