"""The intake protocol: one stream per tenant and the sharded ready index (its typed entries
are store/intake_entries.py, named here too).

Every accepted unit of work (a missed call, a new group to announce, a card to refresh, a text
a handler queued) is one entry in its tenant's stream `pz:{t<id>}:intake`, appended in the same
MULTI as the tenant's record it belongs to: both keys share the tenant's hash slot, so
"accepted" stays one atomic step on a Redis Cluster too.

Workers find the tenants with work through the ready index: `SHARDS` sorted sets
`pz:{ix<n>}:intake_ready` (each its own slot), member = tenant id, score = when it was first
marked since it was last removed (a worker reads the oldest first, so a tenant that keeps
getting entries is never pushed out of the page read by quieter ones). The order makes it safe
against interruption and races:

1. the tenant's MULTI appends the entry (durable: the caller may say "accepted");
2. then the tenant is marked in its shard (`mark`);
3. a worker whose read of the stream found nothing new removes the tenant (`settle`), then reads
   the stream once more: an append it had not seen is either found by that read, or its mark
   comes after the removal and puts the tenant back. (No version compare: a member removed and
   marked again would restart its count, and a stale version could then match.)

A crash between 1 and 2 leaves an entry that no index points at; `Sweep` re-marks every tenant
whose stream holds entries (new, or pending with a consumer that died), so nothing is lost,
only late by at most one sweep period.
"""

from __future__ import annotations

import logging
import random
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import RedisCluster

from store import keys
from store.intake_entries import (
    CALL_FIELDS as CALL_FIELDS,
)
from store.intake_entries import (
    KINDS as KINDS,
)
from store.intake_entries import (
    AdminsEntry as AdminsEntry,
)
from store.intake_entries import (
    CallEntry as CallEntry,
)
from store.intake_entries import (
    CardDueEntry as CardDueEntry,
)
from store.intake_entries import (
    CardEntry as CardEntry,
)
from store.intake_entries import (
    Entry as Entry,
)
from store.intake_entries import (
    FarewellEntry as FarewellEntry,
)
from store.intake_entries import (
    FileEntry as FileEntry,
)
from store.intake_entries import (
    FollowersEntry as FollowersEntry,
)
from store.intake_entries import (
    GroupNewEntry as GroupNewEntry,
)

# The entries live in store/intake_entries.py; they are named here too, as the protocol is one.
from store.intake_entries import (
    Malformed as Malformed,
)
from store.intake_entries import (
    ServiceEntry as ServiceEntry,
)
from store.intake_entries import (
    WeeklyEntry as WeeklyEntry,
)
from store.intake_entries import (
    append as append,
)
from store.intake_entries import (
    decode as decode,
)
from store.intake_entries import (
    fields_argv as fields_argv,
)

log = logging.getLogger(__name__)

# How many ready-index shards: enough to spread the index over a cluster's masters.
SHARDS = 16
# The consumer group every delivery worker joins on every tenant's stream.
GROUP = "delivery"
# Published after each mark: idle workers wake at once instead of at their next poll.
WAKE = f"{keys.PREFIX}:intake:wake"


def shard(tid: str) -> int:
    return zlib.crc32(tid.encode()) % SHARDS


@dataclass(frozen=True, slots=True)
class Ready:
    """A tenant the ready index names: it may have intake."""

    tenant: str


class IntakeIndex:
    """The ready index over every tenant's stream (see the module docstring for the order)."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis
        self._cluster = isinstance(redis, RedisCluster)

    async def add(self, entries: Iterable[Entry]) -> list[str]:
        """Append entries outside any transaction (each tenant's in one MULTI), then mark."""
        by_tenant: dict[str, list[Entry]] = {}
        for entry in entries:
            by_tenant.setdefault(entry.tenant, []).append(entry)
        ids: list[str] = []
        for some in by_tenant.values():
            async with self._r.pipeline(transaction=True) as pipe:
                for entry in some:
                    append(entry, pipe)
                ids += await pipe.execute()
        await self.mark(by_tenant)
        return ids

    async def mark(self, tids: Iterable[str]) -> None:
        """Step 2: the tenants' streams got entries (one round trip, whatever the count)."""
        tids = list(dict.fromkeys(tids))
        if not tids:
            return
        now = round(time.time() * 1000)
        async with self._r.pipeline(transaction=False) as pipe:
            for tid in tids:
                # NX: a tenant already marked keeps its place (oldest first).
                pipe.zadd(keys.intake_ready(shard(tid)), {tid: now}, nx=True)
            if not self._cluster:
                pipe.publish(WAKE, "1")
            await pipe.execute()
        if self._cluster:
            # A cluster pipeline refuses PUBLISH (it has no key to route by): a command of its
            # own, which the cluster bus carries to every node's subscribers.
            await self._r.publish(WAKE, "1")

    async def ready(self, per_shard: int = 64) -> list[Ready]:
        """Tenants the index says may have intake, shuffled."""
        async with self._r.pipeline(transaction=False) as pipe:
            parse = self.ready_into(pipe, per_shard)
            return parse(await pipe.execute())

    @staticmethod
    def ready_into(
        pipe: Pipeline, per_shard: int = 64
    ) -> Callable[[Sequence[object]], list[Ready]]:
        """Queue the index read in a pipeline of other reads; parse its replies with the
        function returned (they are the last `SHARDS` replies of the pipeline)."""
        for n in range(SHARDS):
            pipe.zrange(keys.intake_ready(n), 0, per_shard - 1)

        def parse(replies: Sequence[object]) -> list[Ready]:
            found: list[Ready] = []
            for row in replies[-SHARDS:]:
                if isinstance(row, Exception):
                    raise row
                found += [Ready(tid) for tid in row]  # type: ignore[union-attr]
            random.shuffle(found)  # workers start at different tenants
            return found

        return parse

    async def settle(self, ready: Ready) -> None:
        """Step 3: drop the tenant from the index; the caller then reads its stream once more."""
        await self._r.zrem(keys.intake_ready(shard(ready.tenant)), ready.tenant)

    def settle_into(self, pipe: Pipeline, ready: Ready) -> bool:
        """`settle` queued first in a pipeline whose next command is that one more read: one
        round trip where the commands run in order (one server); False on a Cluster, whose
        pipeline may run them on two nodes in either order (then call `settle`, then read)."""
        if self._cluster:
            return False
        pipe.zrem(keys.intake_ready(shard(ready.tenant)), ready.tenant)
        return True

    async def backlog(self) -> int:
        """Entries not yet fanned out, in the streams of the tenants the index holds."""
        tids = [r.tenant for r in await self.ready(per_shard=10_000)]
        if not tids:
            return 0
        async with self._r.pipeline(transaction=False) as pipe:
            for tid in tids:
                pipe.xlen(keys.intake(tid))
            return sum(await pipe.execute())

    async def sweep(self, page: int = 500) -> int:
        """Re-mark every tenant whose stream still holds entries; returns how many.

        Entries are deleted once fanned out, so a non-empty stream is work: new entries whose
        mark a crash lost, or pending ones of a consumer that died (taken over by XAUTOCLAIM
        once the index sends a worker there)."""
        found: list[str] = []
        offset = 0
        while True:
            tids = await self._r.zrange(keys.TENANTS, offset, offset + page - 1)
            if not tids:
                break
            async with self._r.pipeline(transaction=False) as pipe:
                for tid in tids:
                    pipe.xlen(keys.intake(tid))
                lengths = await pipe.execute()
            found += [tid for tid, n in zip(tids, lengths, strict=True) if n]
            if len(tids) < page:
                break
            offset += page
        await self.mark(found)
        return len(found)


_DELETE_IF_EMPTY = """
if redis.call('XLEN', KEYS[1]) == 0 then return redis.call('DEL', KEYS[1]) end
return 0
"""


async def drain_legacy(redis: Redis, index: IntakeIndex, batch: int = 200) -> int:
    """Move what an upgrade left in the old single stream into the tenants' streams, once.

    Each entry is copied (as it was: a malformed one still reaches the dead intake record),
    then deleted; a crash in between copies it again, and fan-out's per-entry marker does not
    see the copy as the same entry, so such an entry may be delivered twice (never lost). A
    lock keeps two workers from copying the same entries; the stream is deleted only once
    empty, and every sweep looks again (a rolling upgrade's older ingest may still append)."""
    if not await redis.exists(keys.LEGACY_INTAKE):
        return 0
    if not await redis.set(keys.LEGACY_INTAKE_LOCK, "1", nx=True, ex=300):
        return 0
    moved = 0
    try:
        while rows := await redis.xrange(keys.LEGACY_INTAKE, "-", "+", count=batch):
            tids: list[str] = []
            for entry_id, fields in rows:
                tid = (fields or {}).get("tenant")
                if tid:
                    await redis.xadd(keys.intake(tid), fields)
                    tids.append(tid)
                    moved += 1
                else:  # no tenant: no stream to move it to, and nobody to deliver it to
                    kind = (fields or {}).get("kind")
                    log.warning("old intake entry %s (%s) has no tenant; dropped", entry_id, kind)
                await redis.xdel(keys.LEGACY_INTAKE, entry_id)
            await index.mark(tids)
        # Only if still empty: an older ingest may have appended since the last read.
        await redis.eval(_DELETE_IF_EMPTY, 1, keys.LEGACY_INTAKE)
    finally:
        await redis.delete(keys.LEGACY_INTAKE_LOCK)
    return moved
