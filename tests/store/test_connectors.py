"""store/connectors.py on fakeredis and a real Redis: sealed secrets, index, status, removal."""

from __future__ import annotations

import pytest

from store import Store, keys
from store.errors import NotFound


async def test_add_get_list_remove(store: Store, clock):
    t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    c = await store.connectors.add(
        t.id, "mango", {"api_key": "mk-1", "api_salt": "ms-2"},
        secret_names=("api_key", "api_salt"), allow_ip=("185.45.152.42/32",),
    )  # fmt: skip
    got = await store.connectors.get(c.id)
    assert got.options == {"api_key": "mk-1", "api_salt": "ms-2"}
    assert got.tenant_id == t.id and got.vendor == "mango"
    assert got.allow_ip == ("185.45.152.42/32",)
    assert [x.id for x in await store.connectors.list(t.id)] == [c.id]
    assert "mk-1" not in repr(got)
    assert await store.connectors.remove(c.id) is True
    with pytest.raises(NotFound):
        await store.connectors.get(c.id)
    assert await store.connectors.remove(c.id) is False
    assert await store.connectors.list(t.id) == []


async def test_secrets_are_sealed_at_rest_and_ids_unguessable(store: Store):
    t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    a = await store.connectors.add(
        t.id, "zadarma", {"secret": "zd-plain-77"}, secret_names=("secret",)
    )
    b = await store.connectors.add(
        t.id, "zadarma", {"secret": "zd-plain-77"}, secret_names=("secret",)
    )
    raw = await store.redis.hget(keys.connectors(t.id), a.id)
    assert "zd-plain-77" not in raw and "zadarma" in raw
    assert a.id != b.id and len(a.id) >= 24
    assert await store.redis.get(keys.connector(a.id)) == t.id


async def test_status_keeps_the_last_event_and_rejection(store: Store, clock):
    t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    c = await store.connectors.add(t.id, "sipuni", {})
    assert (await store.connectors.status(c)).last_event_at is None
    await store.connectors.note_event(c, "missed accepted")
    clock.advance(5)
    await store.connectors.note_rejected(c, "bad Signature")
    st = await store.connectors.status(c)
    assert st.last_event == "missed accepted" and st.last_rejected == "bad Signature"
    assert st.last_rejected_at - st.last_event_at == 5


async def test_unknown_tenant_is_refused(store: Store):
    with pytest.raises(NotFound):
        await store.connectors.add("999", "sipuni", {})


async def test_the_version_moves_on_every_add_and_removal_only(store: Store):
    t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    start = await store.connectors.version()
    c = await store.connectors.add(t.id, "sipuni", {})
    assert await store.connectors.version() == start + 1
    await store.connectors.note_event(c, "missed accepted")
    await store.connectors.get(c.id)
    assert await store.connectors.version() == start + 1
    await store.connectors.remove(c.id)
    assert await store.connectors.version() == start + 2
    await store.connectors.remove(c.id)  # already gone: nothing changed
    assert await store.connectors.version() == start + 2
