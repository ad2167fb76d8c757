"""Global indexes sit in other hash slots than a tenant's records, so changes are several
single-slot steps. What any prefix of those steps leaves behind must be harmless: a table of
leftovers (written by hand, as a crash would leave them) and what readers make of each."""

from store import Store, keys
from store.crypto import digest, new_api_key


async def test_an_index_entry_written_before_its_tenant_resolves_to_nothing(store: Store):
    key = new_api_key()
    await store.redis.set(keys.api_key(digest(key)), "99")
    await store.redis.zadd(keys.TENANTS, {"99": 99})
    assert await store.tenants.resolve_key(key) is None
    assert await store.tenants.list() == []


async def test_a_rotation_cut_after_its_first_step_keeps_the_old_key(store: Store):
    tenant, old_key = await store.tenants.create("A", "UTC", "ru")
    fresh = new_api_key()
    await store.redis.set(keys.api_key(digest(fresh)), tenant.id)
    assert await store.tenants.resolve_key(fresh) is None
    assert (await store.tenants.resolve_key(old_key)).id == tenant.id


async def test_a_rotation_leaves_no_old_index_entry(store: Store):
    tenant, old_key = await store.tenants.create("A", "UTC", "ru")
    _, new_key = await store.tenants.rotate_key(tenant.id)
    assert await store.redis.get(keys.api_key(digest(old_key))) is None
    assert await store.redis.get(keys.api_key(digest(new_key))) == tenant.id


async def test_a_stale_admin_index_entry_grants_nothing(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    await store.redis.sadd(keys.chat_admin_of(5), tenant.id)
    assert await store.admins.tenants_of(5) == []
    await store.admins.grant(tenant.id, 5)
    assert await store.admins.tenants_of(5) == [tenant.id]


async def test_a_stale_chat_index_entry_is_skipped(store: Store):
    a, _ = await store.tenants.create("A", "UTC", "ru")
    b, _ = await store.tenants.create("B", "UTC", "ru")
    await store.subs.activate(a.id, 7, "Ann")
    await store.redis.sadd(keys.chat_tenants(7), b.id)
    assert await store.subs.tenants_of_chat(7) == [a.id]


async def test_removing_a_subscription_keeps_the_index_of_one_recreated_meanwhile(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    await store.subs.activate(tenant.id, 7, "Ann")
    # The index step of a remove that raced a new /activate: the record is back already.
    await store.subs._unindex(tenant.id, 7)
    assert await store.subs.tenants_of_chat(7) == [tenant.id]
    assert await store.subs.remove(tenant.id, 7)
    assert await store.subs.tenants_of_chat(7) == []
    assert not await store.redis.sismember(keys.chat_tenants(7), tenant.id)


async def test_a_bot_whose_delete_was_cut_short_can_be_added_again_by_its_tenant(store: Store):
    a, _ = await store.tenants.create("A", "UTC", "ru")
    b, _ = await store.tenants.create("B", "UTC", "ru")
    bot = await store.bots.add(a.id, "Bot", "111:tok", "a_bot", 111)
    # The record went, the process died before the index step.
    await store.redis.delete(keys.bot(a.id, bot.id))
    await store.redis.zrem(keys.bots(a.id), bot.id)
    again = await store.bots.add(a.id, "Bot", "111:tok", "a_bot", 111)
    assert again.id != bot.id
    assert await store.bots.owner_of_token("111:tok") == (a.id, again.id)
    assert [x.id for x in await store.bots.list(a.id)] == [again.id]
    assert await store.bots.list(b.id) == []


async def test_the_active_bots_index_keeps_only_existing_bots_and_reports_the_active(
    store: Store,
):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    one = await store.bots.add(tenant.id, "One", "1:one", "one_bot", 1)
    two = await store.bots.add(tenant.id, "Two", "2:two", "two_bot", 2)
    await store.bots.activate(tenant.id, one.id)
    await store.bots.activate(tenant.id, two.id)
    assert [x.id for x in await store.bots.all_active()] == [two.id]
    await store.bots.delete(tenant.id, one.id)
    assert await store.redis.smembers(keys.ACTIVE_BOTS) == {f"{tenant.id}:{two.id}"}
