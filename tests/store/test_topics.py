"""Contract: a group bound to a forum, and the topic thread kept once (every backend)."""

import pytest

from store import Store
from store.errors import InvalidInput, NotFound

FORUM = -1001234567890


async def test_bind_keep_the_first_thread_and_unbind(store: Store):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    assert await store.topics.binding(tenant.id, "default") is None
    bound = await store.topics.bind(tenant.id, "default", FORUM)
    assert bound is not None and (bound.chat_id, bound.thread) == (FORUM, None)
    assert await store.topics.set_thread(tenant.id, "default", FORUM, 7) == 7
    assert await store.topics.set_thread(tenant.id, "default", FORUM, 9) == 7  # first wins
    assert (await store.topics.binding(tenant.id, "default")).thread == 7
    # Another forum, or none: the old thread is forgotten; a late thread is not kept.
    rebound = await store.topics.bind(tenant.id, "default", FORUM - 1)
    assert rebound.thread is None
    assert await store.topics.set_thread(tenant.id, "default", FORUM, 7) is None
    assert await store.topics.bind(tenant.id, "default", None) is None
    assert (await store.groups.get(tenant.id, "default")).notify  # the group is untouched


async def test_refusals(store: Store):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    with pytest.raises(InvalidInput):
        await store.topics.bind(tenant.id, "default", -4001)
    with pytest.raises(NotFound):
        await store.topics.bind(tenant.id, "nope", FORUM)


async def test_one_creator_at_a_time(store: Store):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    assert await store.topics.lock(tenant.id, "default", 30)
    assert not await store.topics.lock(tenant.id, "default", 30)
    await store.topics.unlock(tenant.id, "default")
    assert await store.topics.lock(tenant.id, "default", 30)
