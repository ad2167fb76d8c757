"""Contract: groups and their notify flag."""

import pytest

from store import Store, keys
from store.errors import InvalidInput, NotFound


async def test_ensure_creates_once_with_flag_off(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    group, created = await store.groups.ensure(tenant.id, "sales", "Sales")
    assert created and group.notify is False and group.name == "Sales"
    again, created_again = await store.groups.ensure(tenant.id, "sales", "Other name")
    assert not created_again and again.name == "Sales"


async def test_set_notify_reports_change(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    await store.groups.ensure(tenant.id, "sales")
    group, changed = await store.groups.set_notify(tenant.id, "sales", True)
    assert changed and group.notify
    _, changed = await store.groups.set_notify(tenant.id, "sales", True)
    assert not changed


async def test_list_pages_and_counts(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    for i in range(12):
        await store.groups.ensure(tenant.id, f"g{i:02d}")
    page1 = await store.groups.list(tenant.id, 0, 10)
    page2 = await store.groups.list(tenant.id, 10, 10)
    assert len(page1) == 10 and len(page2) == 3  # twelve plus the default group
    assert page1[0].id == "default"
    assert await store.groups.count(tenant.id) == 13


@pytest.mark.parametrize("bad", ["", "with space", "a:b", "x" * 65])
async def test_bad_group_ids_are_refused(store: Store, bad: str):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    with pytest.raises(InvalidInput):
        await store.groups.ensure(tenant.id, bad)


async def test_unknown_group(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    with pytest.raises(NotFound):
        await store.groups.set_notify(tenant.id, "nope", True)
    renamed = await store.groups.rename(tenant.id, "default", "  Main line ")
    assert renamed.name == "Main line"


async def test_creation_is_announced_in_the_same_transaction(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    _, created = await store.groups.ensure(tenant.id, "sales", announce=True)
    await store.groups.ensure(tenant.id, "sales", announce=True)
    assert created
    entries = [f for _, f in await store.redis.xrange(keys.intake(tenant.id))]
    assert entries == [{"kind": "group_new", "tenant": tenant.id, "group": "sales"}]


async def test_a_creation_cut_short_is_repaired(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    # What an older, non-atomic creation could leave behind after a crash.
    await store.redis.hset(keys.group(tenant.id, "sales"), "id", "sales")
    group, created = await store.groups.ensure(tenant.id, "sales", "Sales")
    assert created and group.name == "Sales" and not group.notify
    assert [g.id for g in await store.groups.list(tenant.id)] == ["default", "sales"]
