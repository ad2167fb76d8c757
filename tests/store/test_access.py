"""Invites, ingest tokens and the audit log, on every backend: only hashes are stored."""

from __future__ import annotations

import pytest

from store.audit import KEEP, Actor
from store.errors import InvalidInput, NotFound, TokenTaken
from store.invites import Invite, Refused


async def _dump(redis, keys_of) -> str:
    parts = []
    for key in await keys_of(redis):
        kind = await redis.type(key)
        if kind == "hash":
            parts.append(str(await redis.hgetall(key)))
        elif kind == "string":
            parts.append(str(await redis.get(key)))
        elif kind == "list":
            parts.append(str(await redis.lrange(key, 0, -1)))
        parts.append(key)
    return "\n".join(parts)


async def test_an_invite_is_used_up_expires_or_is_revoked(store, clock, keys_of):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    await store.groups.ensure(tenant.id, "sales", notify=True)
    inv, code = await store.invites.create(tenant.id, group="sales", uses=2, hours=1)
    assert code.startswith("pzi_") and inv.group == "sales" and inv.uses_left == 2
    assert code not in await _dump(store.redis, keys_of)
    assert await store.invites.tenant_of(code) == tenant.id
    assert await store.invites.tenant_of("pzi_" + "x" * 24) is None

    assert isinstance(await store.invites.redeem(tenant.id, code), Invite)
    peek = await store.invites.redeem(tenant.id, code, consume=False)
    assert isinstance(peek, Invite) and peek.uses_left == 1
    await store.invites.redeem(tenant.id, code)
    assert await store.invites.redeem(tenant.id, code) is Refused.USED_UP

    clock.advance(1)
    timed, timed_code = await store.invites.create(tenant.id, group=None, uses=5, hours=1)
    clock.advance(3601)
    assert await store.invites.redeem(tenant.id, timed_code) is Refused.EXPIRED

    _, third = await store.invites.create(tenant.id, group=None, uses=5, hours=1)
    revoked = await store.invites.revoke(tenant.id, third)
    assert revoked.revoked and await store.invites.redeem(tenant.id, third) is Refused.REVOKED
    assert (await store.invites.find(tenant.id, timed.id)).code_hash == timed.code_hash
    assert [i.uses for i in await store.invites.list(tenant.id)] == [0, 0, 2]


async def test_invites_refuse_bad_values(store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    with pytest.raises(InvalidInput):
        await store.invites.create(tenant.id, group=None, uses=0, hours=1)
    with pytest.raises(InvalidInput):
        await store.invites.create(tenant.id, group=None, uses=1, hours=0)
    with pytest.raises(NotFound):
        await store.invites.create(tenant.id, group="nope", uses=1, hours=1)
    with pytest.raises(NotFound):
        await store.invites.revoke(tenant.id, "deadbeef")


async def test_ingest_tokens_resolve_until_revoked(store, keys_of):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    tok, token = await store.ingest_tokens.create(tenant.id, "pbx1")
    assert token.startswith("pzt_") and tok.prefix.startswith("pzt_")
    assert token not in await _dump(store.redis, keys_of)
    found = await store.ingest_tokens.resolve(token)
    assert found is not None and found[0].id == tenant.id and found[1] == "pbx1"
    with pytest.raises(TokenTaken):
        await store.ingest_tokens.create(tenant.id, "pbx1")
    with pytest.raises(InvalidInput):
        await store.ingest_tokens.create(tenant.id, "bad name")
    assert await store.ingest_tokens.resolve("pzt_" + "A" * 32) is None
    await store.ingest_tokens.revoke(tenant.id, "pbx1")
    assert await store.ingest_tokens.resolve(token) is None
    assert [t.revoked for t in await store.ingest_tokens.list(tenant.id)] == [True]


async def test_the_audit_log_keeps_the_last_entries(store, clock):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    for i in range(KEEP + 5):
        clock.advance(1)
        await store.audit.record(tenant.id, Actor(42, "Анна"), "group.notify", f"g{i}")
    await store.audit.record(tenant.id, Actor.cli(), "invite.create")
    assert await store.audit.count(tenant.id) == KEEP
    newest = await store.audit.recent(tenant.id, 0, 2)
    assert [(e.name, e.action) for e in newest] == [
        ("cli", "invite.create"),
        ("Анна", "group.notify"),
    ]
    assert newest[1].detail == f"g{KEEP + 4}" and newest[1].user_id == 42


async def test_deleting_a_tenant_removes_its_access_records(store, keys_of):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    _, code = await store.invites.create(tenant.id, group=None, uses=1, hours=1)
    _, token = await store.ingest_tokens.create(tenant.id, "pbx1")
    await store.audit.record(tenant.id, Actor.cli(), "x")
    await store.delete_tenant(tenant.id)
    assert await store.invites.tenant_of(code) is None
    assert await store.ingest_tokens.resolve(token) is None
    assert [
        k for k in await keys_of(store.redis) if "invite" in k or "ingest" in k or "audit" in k
    ] == []


async def test_key_activation_switch(store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    assert tenant.key_activation is True
    changed = await store.tenants.set_options(tenant.id, key_activation=False)
    assert changed.key_activation is False
