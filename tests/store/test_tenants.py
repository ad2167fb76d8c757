"""Contract: tenants and their API keys (every backend of tests/store/conftest.py)."""

import pytest

from store import Store, keys
from store.crypto import digest
from store.errors import InvalidInput, NotFound
from store.models import DEFAULT_GROUP


async def test_create_returns_key_once_and_stores_only_its_hash(store: Store):
    tenant, api_key = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    assert tenant.name == "Acme" and tenant.tz == "Europe/Moscow" and tenant.lang == "ru"
    assert api_key.startswith("pzv_") and len(api_key) > 20
    assert tenant.key_prefix == api_key[:8] + "…"
    raw = await store.redis.hgetall(keys.tenant(tenant.id))
    assert api_key not in raw.values()
    assert raw["key_hash"] == digest(api_key)


async def test_new_tenant_has_default_group_with_flag_on(store: Store):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    group = await store.groups.get(tenant.id, DEFAULT_GROUP)
    assert group.notify is True


async def test_key_resolves_to_its_tenant(store: Store):
    a, key_a = await store.tenants.create("A", "UTC", "ru")
    b, key_b = await store.tenants.create("B", "UTC", "ru")
    assert (await store.tenants.resolve_key(key_a)).id == a.id
    assert (await store.tenants.resolve_key(key_b)).id == b.id


@pytest.mark.parametrize("bad", ["", "pzv_", "nonsense", "pzv_" + "x" * 200, "pzv_ bad key !!!!!"])
async def test_malformed_or_unknown_keys_resolve_to_nothing(store: Store, bad: str):
    await store.tenants.create("A", "UTC", "ru")
    assert await store.tenants.resolve_key(bad) is None
    assert await store.tenants.resolve_key("pzv_" + "A" * 32) is None


async def test_rotated_key_no_longer_resolves_and_ends_admin_sessions(store: Store):
    tenant, old = await store.tenants.create("A", "UTC", "ru")
    await store.admins.grant(tenant.id, 42)
    rotated, new, ended = await store.rotate_key(tenant.id)
    assert new != old and rotated.key_prefix == new[:8] + "…"
    assert await store.tenants.resolve_key(old) is None
    assert (await store.tenants.resolve_key(new)).id == tenant.id
    assert ended == [42]
    assert not await store.admins.is_admin(tenant.id, 42)
    assert await store.admins.tenants_of(42) == []


async def test_rotate_unknown_tenant_fails(store: Store):
    with pytest.raises(NotFound):
        await store.rotate_key("999")


@pytest.mark.parametrize(
    "name,tz,lang", [("", "UTC", "ru"), ("A", "Mars/Base", "ru"), ("A", "UTC", "de")]
)
async def test_invalid_tenant_input_is_refused_before_writing(store: Store, name, tz, lang):
    with pytest.raises(InvalidInput):
        await store.tenants.create(name, tz, lang)
    assert await store.tenants.count() == 0


async def test_list_pages_in_creation_order(store: Store):
    for i in range(5):
        await store.tenants.create(f"T{i}", "UTC", "ru")
    first = await store.tenants.list(0, 2)
    rest = await store.tenants.list(2, 10)
    assert [t.name for t in first + rest] == ["T0", "T1", "T2", "T3", "T4"]
    assert await store.tenants.count() == 5


async def test_set_options_validates(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    changed = await store.tenants.set_options(tenant.id, tz="Asia/Almaty", lang="en")
    assert (changed.tz, changed.lang) == ("Asia/Almaty", "en")
    with pytest.raises(InvalidInput):
        await store.tenants.set_options(tenant.id, tz="Nowhere/Land")


async def test_delete_tenant_removes_every_trace(store: Store, keys_of):
    keep, keep_key = await store.tenants.create("Keep", "UTC", "ru")
    gone, gone_key = await store.tenants.create("Gone", "UTC", "ru")
    await store.subs.activate(gone.id, 7, "Ann")
    await store.subs.activate(keep.id, 7, "Ann")
    await store.groups.ensure(gone.id, "sales", "Sales")
    await store.bots.add(gone.id, "B", "111:tok-gone", "gone_bot", 111)
    await store.admins.grant(gone.id, 7)
    # Written as Calls.record writes it, minus the intake entry (not single-slot yet).
    await store.redis.set(keys.call(gone.id, "c1"), "default\n0.0\n{}")
    await store.redis.zadd(keys.calls(gone.id), {"c1": 0.0})
    await store.ami.add(gone.id, "pbx", 5038, "u", "s", False)

    await store.delete_tenant(gone.id)

    assert await store.tenants.resolve_key(gone_key) is None
    assert await store.subs.tenants_of_chat(7) == [keep.id]
    assert await store.admins.tenants_of(7) == []
    assert await store.bots.owner_of_token("111:tok-gone") is None
    assert await store.ami.list() == []
    assert [t.id for t in await store.tenants.list()] == [keep.id]
    tag = "{t" + gone.id + "}"
    remaining = [k for k in await keys_of(store.redis) if tag in k]
    assert remaining == []
    assert (await store.tenants.resolve_key(keep_key)).id == keep.id
    with pytest.raises(NotFound):
        await store.delete_tenant(gone.id)


async def test_set_options_changes_name_and_the_new_groups_policy(store: Store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    assert tenant.new_groups is True
    changed = await store.tenants.set_options(tenant.id, name="  Acme Ltd ", new_groups=False)
    assert (changed.name, changed.new_groups, changed.tz) == ("Acme Ltd", False, "Europe/Moscow")
    with pytest.raises(InvalidInput):
        await store.tenants.set_options(tenant.id, name=" ")
    with pytest.raises(NotFound):
        await store.tenants.set_options("999", new_groups=True)
    await store.delete_tenant(tenant.id)
    with pytest.raises(NotFound):
        await store.tenants.set_options(tenant.id, name="Back")
    assert not await store.redis.exists(keys.tenant(tenant.id))
