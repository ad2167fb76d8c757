"""store/once.py on every backend: a once-flag reads as set only while it exists."""

from __future__ import annotations

from store import Store


async def test_a_flag_is_set_until_it_expires_or_goes(store: Store):
    assert not await store.once.is_set("pz:q:told_broken:1:b1")
    await store.redis.set("pz:q:told_broken:1:b1", "1", ex=60)
    assert await store.once.is_set("pz:q:told_broken:1:b1")
    await store.redis.delete("pz:q:told_broken:1:b1")
    assert not await store.once.is_set("pz:q:told_broken:1:b1")
