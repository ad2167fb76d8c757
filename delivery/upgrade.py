"""The queue's keys moved under the hash tag `{dlv}`: move a single Redis's old keys once.

A Redis that ran an older version holds the queue under `pz:dlv:` (no hash tag). At start, before
any claim, the engine renames each to its `pz:{dlv}:` name, under a lock so two starting workers
do not both move; a marker then says the layout is current, so later starts skip the scan. On a
Cluster there is nothing to move (an older version could not run the queue there), and RENAME
across slots is refused anyway.

Workers of the older version must be stopped first: they would go on writing the old names.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from delivery import keys

log = logging.getLogger(__name__)

LOCK = f"{keys.P}:upgrade_lock"
DONE = f"{keys.P}:layout"
LAYOUT = "tagged"


async def move_untagged_keys(redis: Redis | RedisCluster, lock_ms: int = 60_000) -> int:
    """Rename every `pz:dlv:*` key to its `pz:{dlv}:*` name once; returns how many moved here."""
    if isinstance(redis, RedisCluster) or await redis.get(DONE) == LAYOUT:
        return 0
    me = secrets.token_hex(8)
    while not await redis.set(LOCK, me, nx=True, px=lock_ms):
        await asyncio.sleep(0.05)  # another worker moves: wait for its marker
        if await redis.get(DONE) == LAYOUT:
            return 0
    try:
        if await redis.get(DONE) == LAYOUT:
            return 0
        moved = kept = 0
        old = f"{keys.OLD_P}:"
        async for key in redis.scan_iter(match=f"{old}*", count=500):
            new = f"{keys.P}:{key[len(old) :]}"
            if await redis.renamenx(key, new):
                moved += 1
            else:
                kept += 1  # a newer key of that name exists already: it wins
        if kept:
            log.warning("upgrade: %d old queue keys left as their new names exist", kept)
        if moved:
            log.warning("upgrade: moved %d queue keys under the hash tag {dlv}", moved)
        await redis.set(DONE, LAYOUT)
        return moved
    finally:
        if await redis.get(LOCK) == me:
            await redis.delete(LOCK)
