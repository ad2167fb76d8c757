"""store/purges.py on every backend: a bot's deletions, due by time, settled one by one."""

from __future__ import annotations

from store import Store, keys
from store.purges import Purge


async def test_due_by_time_per_bot_then_done(store: Store):
    await store.purges.add(7, Purge(100, 1), due=50.0)
    await store.purges.add(7, Purge(-1002, 9), due=10.0)
    await store.purges.add(8, Purge(100, 2), due=5.0)
    assert await store.purges.due(7, now=20.0) == [Purge(-1002, 9)]
    assert await store.purges.due(7, now=50.0) == [Purge(-1002, 9), Purge(100, 1)]
    assert await store.purges.pending(7) == 2 and await store.purges.pending(8) == 1
    await store.purges.done(7, Purge(-1002, 9))
    await store.purges.done(7, Purge(-1002, 9))  # a second settle (the other path) is harmless
    assert await store.purges.due(7, now=100.0) == [Purge(100, 1)]
    assert await store.purges.pending(7) == 1


async def test_the_key_and_members_are_the_ones_earlier_releases_wrote(store: Store):
    # Records scheduled before an upgrade are still swept after it.
    await store.redis.zadd("pz:adm:purge:7", {"100:3": 1.0})
    assert keys.purge(7) == "pz:adm:purge:7"
    assert await store.purges.due(7, now=2.0) == [Purge(100, 3)]
