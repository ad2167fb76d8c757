"""Dead letters per tenant, for the admin menu: look at them, count them, send them again."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from delivery import keys
from delivery.policy import Limits
from delivery.queue import JobQueue, Kind
from store import Store


@dataclass(frozen=True, slots=True)
class DeadLetter:
    jid: str
    tenant_id: str
    chat_id: int
    kind: Kind
    text: str
    error: str
    attempts: int
    dead_at: float
    # The request timed out after it left: Telegram may have delivered it, so sending it
    # again needs an admin's confirmation.
    maybe_sent: bool = False


class DeadLetters:
    """Read and retry one tenant's dead letters (newest first)."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis
        # Reviving needs only the queue's scripts, never a claim: the consumer name is unused.
        self._queue = JobQueue(redis, "dead-letters", Limits())

    @classmethod
    def of(cls, store: Store) -> DeadLetters:
        """Over the store's Redis: callers outside the queue never hold a raw client."""
        return cls(store.redis)

    async def count(self, tid: str) -> int:
        return await self._r.zcard(keys.dead(tid))

    async def list(self, tid: str, offset: int = 0, limit: int = 10) -> list[DeadLetter]:
        jids = await self._r.zrevrange(keys.dead(tid), offset, offset + limit - 1)
        found = []
        for jid in jids:
            job = await self._queue.load(jid)
            if job is not None:
                found.append(
                    DeadLetter(
                        jid, job.tid, job.chat, job.kind, job.text, job.error, job.attempts,
                        job.dead_at, job.maybe_sent,
                    )
                )  # fmt: skip
        return found

    async def count_maybe_sent(self, tid: str) -> int:
        """How many of the tenant's dead letters may have been delivered (timeouts)."""
        jids = await self._r.zrange(keys.dead(tid), 0, -1)
        if not jids:
            return 0
        async with self._r.pipeline(transaction=False) as pipe:
            for jid in jids:
                pipe.hget(keys.job(jid), "d")
            datas = await pipe.execute()
        return sum(1 for d in datas if d and json.loads(d).get("maybe_sent"))

    async def get(self, tid: str, jid: str) -> DeadLetter | None:
        """One of the tenant's dead letters, or None (retried or dropped meanwhile)."""
        if await self._r.zscore(keys.dead(tid), jid) is None:
            return None
        job = await self._queue.load(jid)
        if job is None or job.tid != tid:
            return None
        return DeadLetter(
            jid, job.tid, job.chat, job.kind, job.text, job.error, job.attempts, job.dead_at,
            job.maybe_sent,
        )  # fmt: skip

    async def retry(self, tid: str, jid: str | None = None, *, confirmed: bool = False) -> int:
        """Send one dead letter (or all of the tenant's) again, in the order they were
        accepted; one that may have been delivered only when `confirmed`. Returns how many
        went back. A retried message starts its wait (`Options.max_wait`) anew."""
        jids = [jid] if jid is not None else sorted(await self._r.zrange(keys.dead(tid), 0, -1))
        revived = 0
        for one in jids:
            job = await self._queue.load(one)
            if job is None or job.tid != tid or (job.maybe_sent and not confirmed):
                continue
            job.attempts, job.tried, job.error, job.dead_at = 0, [], "", 0.0
            job.maybe_sent, job.at = False, time.time()
            revived += await self._queue.revive(job)
        if revived:
            await self._r.publish(keys.WAKE, "1")
        return revived
