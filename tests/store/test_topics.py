"""Contract: a group bound to a forum, and the topic thread kept once (every backend)."""

import pytest

from store import Store, keys
from store.errors import InvalidInput, NotFound
from store.topics import ForumCode, code_tenant

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


async def test_a_binding_code_is_kept_a_while_and_used_once(store: Store):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    code = await store.topics.new_code(tenant.id, "sales", 42, "ru", ttl=60)
    assert len(code) <= 64 and all(c.isalnum() or c in "-_" for c in code)  # startgroup's rule
    assert code_tenant(code) == tenant.id
    assert 0 < await store.redis.pttl(keys.forum_code(tenant.id, code)) <= 60_000
    peeked = await store.topics.peek_code(code)
    assert peeked == ForumCode(tenant.id, "sales", 42, "ru")
    assert await store.topics.peek_code(code) == peeked  # looking does not use it up
    assert await store.topics.take_code(code) == peeked
    assert await store.topics.take_code(code) is None
    assert await store.topics.peek_code(code) is None
    assert await store.topics.new_code(tenant.id, "sales", 42, "ru", ttl=60) != code


@pytest.mark.parametrize(
    ("text", "tenant"),
    [
        ("fm12-0123456789abcdef01234567", "12"),
        ("fm12-0123456789abcdef0123456", None),  # too short
        ("fm12-0123456789ABCDEF01234567", None),  # not ours: upper case
        ("fmx-0123456789abcdef01234567", None),
        ("pzk_0123456789abcdef01234567", None),  # an API key
        ("", None),
    ],
)
def test_code_tenant(text: str, tenant: str | None):
    assert code_tenant(text) == tenant


async def test_an_unknown_code_is_nothing(store: Store):
    assert await store.topics.take_code("fm999-0123456789abcdef01234567") is None
    assert await store.topics.peek_code("not a code") is None


async def test_the_groups_bound_to_a_forum_are_found_by_the_forum(store: Store):
    acme, _ = await store.tenants.create("Acme", "UTC", "en")
    beta, _ = await store.tenants.create("Beta", "UTC", "en")
    await store.groups.ensure(acme.id, "sales")
    await store.topics.bind(acme.id, "default", FORUM)
    await store.topics.bind(acme.id, "sales", FORUM)
    await store.topics.bind(beta.id, "default", FORUM)
    assert await store.topics.bound_to(FORUM) == sorted(
        [(acme.id, "default"), (acme.id, "sales"), (beta.id, "default")]
    )
    # Moved to another forum, or unbound: no longer found by the old one.
    await store.topics.bind(acme.id, "sales", FORUM - 1)
    await store.topics.bind(beta.id, "default", None)
    assert await store.topics.bound_to(FORUM) == [(acme.id, "default")]
    assert await store.topics.bound_to(FORUM - 1) == [(acme.id, "sales")]


async def test_unbind_if_only_unbinds_the_forum_named(store: Store):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    await store.topics.bind(tenant.id, "default", FORUM)
    assert not await store.topics.unbind_if(tenant.id, "default", FORUM - 1)
    assert (await store.topics.binding(tenant.id, "default")).chat_id == FORUM
    assert await store.topics.unbind_if(tenant.id, "default", FORUM)
    assert await store.topics.binding(tenant.id, "default") is None
    assert await store.topics.bound_to(FORUM) == []


async def test_an_index_entry_the_group_does_not_confirm_is_dropped(store: Store):
    # A crash between the index and the group's field leaves an entry: reading drops it.
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    await store.redis.sadd(keys.forum_groups(FORUM), f"{tenant.id}:default", "404:gone")
    assert await store.topics.bound_to(FORUM) == []
    assert await store.redis.smembers(keys.forum_groups(FORUM)) == set()
