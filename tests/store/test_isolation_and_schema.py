"""Contract: nothing of tenant A is reachable through tenant B, and the schema hook."""

import pytest

from store import Store, keys
from store.crypto import SecretBox
from store.errors import NotFound, SchemaTooNew, SecretKeyMismatch
from store.schema import SCHEMA_VERSION


async def test_tenant_isolation(store: Store):
    a, _ = await store.tenants.create("A", "UTC", "ru")
    b, _ = await store.tenants.create("B", "UTC", "ru")
    await store.groups.ensure(a.id, "sales")
    await store.subs.activate(a.id, 100, "Ann")
    bot = await store.bots.add(a.id, "A bot", "1:a", "a_bot", 1)
    await store.bots.activate(a.id, bot.id)
    await store.calls.record(a.id, "c1", "default", "{}")

    with pytest.raises(NotFound):
        await store.groups.get(b.id, "sales")
    with pytest.raises(NotFound):
        await store.groups.set_notify(b.id, "sales", True)
    with pytest.raises(NotFound):
        await store.subs.get(b.id, 100)
    with pytest.raises(NotFound):
        await store.subs.admin_set(b.id, 100, False)
    with pytest.raises(NotFound):
        await store.bots.get(b.id, bot.id)
    with pytest.raises(NotFound):
        await store.bots.activate(b.id, bot.id)
    assert not await store.bots.delete(b.id, bot.id)
    assert await store.bots.active(b.id) is None
    assert await store.calls.get(b.id, "c1") is None
    assert await store.subs.list(b.id) == []
    assert (await store.subs.get(a.id, 100)).status.value == "active"
    assert (await store.bots.active(a.id)).id == bot.id


async def test_every_tenant_key_carries_its_hash_tag(store: Store, keys_of):
    a, _ = await store.tenants.create("A", "UTC", "ru")
    await store.subs.activate(a.id, 1, "x")
    await store.bots.add(a.id, "b", "1:b", "b", 1)
    tenant_keys = [k for k in await keys_of(store.redis, "pz:{t*")]
    assert tenant_keys and all(k.startswith("pz:{t" + a.id + "}:") for k in tenant_keys)


async def test_migrate_is_idempotent_and_refuses_newer_data(store: Store):
    assert await store.migrate() == SCHEMA_VERSION
    assert int(await store.redis.get(keys.SCHEMA)) == SCHEMA_VERSION
    await store.redis.set(keys.SCHEMA, SCHEMA_VERSION + 1)
    with pytest.raises(SchemaTooNew):
        await store.migrate()


async def test_a_different_secret_key_is_refused_at_start(store: Store, redis):
    await store.check_secret()
    await store.check_secret()  # the same key, again: fine
    other = Store(redis, SecretBox("another-secret-key-entirely"))
    with pytest.raises(SecretKeyMismatch):
        await other.check_secret()
