"""Contract: admins, missed calls, started-bot facts, the wrong-key throttle, AMI links."""

import json

import pytest

from store import Store, keys
from store.errors import InvalidInput, NotFound
from store.facts import WRONG_KEY_LIMIT, WRONG_KEY_WINDOW


@pytest.fixture
async def tid(store: Store) -> str:
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    return tenant.id


async def test_admins_both_ways(store: Store, tid):
    await store.admins.grant(tid, 5)
    await store.admins.grant(tid, 6)
    assert await store.admins.is_admin(tid, 5)
    assert await store.admins.of_tenant(tid) == [5, 6]
    assert await store.admins.tenants_of(5) == [tid]
    assert await store.admins.revoke(tid, 5)
    assert not await store.admins.revoke(tid, 5)
    assert not await store.admins.is_admin(tid, 5)


async def test_calls_are_idempotent_by_tenant_and_call_id(store: Store, tid):
    other, _ = await store.tenants.create("B", "UTC", "ru")
    assert await store.calls.record(tid, "call-1", "default", '{"caller":"1"}')
    assert not await store.calls.record(tid, "call-1", "default", '{"caller":"2"}')
    assert await store.calls.record(other.id, "call-1", "default", "{}")
    got = await store.calls.get(tid, "call-1")
    assert got.payload == '{"caller":"1"}' and got.group_id == "default"
    assert [c.call_id for c in await store.calls.recent(tid)] == ["call-1"]
    assert await store.calls.get(tid, "missing") is None


async def test_started_bots(store: Store):
    assert await store.started.mark(777, 100)
    assert not await store.started.mark(777, 100)
    assert await store.started.has(777, 100)
    assert not await store.started.has(778, 100)
    await store.started.forget(777, 100)
    assert not await store.started.has(777, 100)


async def test_started_facts_for_many_chats_and_pairs_keep_the_order_given(store: Store):
    await store.started.mark(777, 100)
    await store.started.mark(777, 102)
    await store.started.mark(778, 101)
    assert await store.started.has_many(777, [102, 101, 100]) == [True, False, True]
    assert await store.started.has_many(777, []) == []
    pairs = [(778, 100), (777, 100), (778, 101), (779, 101)]
    assert await store.started.has_each(pairs) == [False, True, True, False]
    assert await store.started.has_each([]) == []


async def test_throttle_locks_after_too_many_wrong_keys_and_expires(store: Store, clock):
    for _ in range(WRONG_KEY_LIMIT):
        assert await store.throttle.failure(9) is None
        clock.advance(1)
    until = await store.throttle.failure(9)
    assert until is not None and until > clock.now
    assert await store.throttle.blocked_until(9) == until
    assert await store.throttle.blocked_until(10) is None
    clock.now = until + 0.001
    assert await store.throttle.blocked_until(9) is None
    clock.advance(WRONG_KEY_WINDOW)
    await store.throttle.failure(9)
    await store.throttle.clear(9)
    assert await store.throttle.blocked_until(9) is None


async def test_ami_links_seal_their_secret(store: Store, tid):
    link = await store.ami.add(tid, "pbx.local", 5038, "perezvon", "s3cret", True)
    assert link.secret == "s3cret" and "s3cret" not in repr(link)
    assert "s3cret" not in str(await store.redis.hgetall("pz:ami"))
    assert [x.id for x in await store.ami.list()] == [link.id]
    with pytest.raises(InvalidInput):
        await store.ami.add(tid, "pbx", 0, "u", "s", False)
    with pytest.raises(NotFound):
        await store.ami.add("999", "pbx", 5038, "u", "s", False)
    assert await store.ami.remove(link.id)
    assert await store.ami.list() == []


async def test_ami_link_options_round_trip(store: Store, tid):
    link = await store.ami.add(
        tid, "pbx", 5039, "u", "s", True,
        did_groups={"74951234567": "sales"}, contexts=("from-trunk", "from-sip"),
        tls_ca="/etc/perezvon/pbx-ca.pem",
    )  # fmt: skip
    (again,) = await store.ami.list()
    assert again == link
    assert again.did_groups == {"74951234567": "sales"}
    assert again.contexts == ("from-trunk", "from-sip") and again.tls_ca.endswith(".pem")


async def test_can_dial_only_for_the_tenant_whose_link_may_place_calls(store: Store, tid):
    other, _ = await store.tenants.create("Other", "Europe/Moscow", "ru")
    assert not await store.ami.can_dial(tid)
    await store.ami.add(other.id, "pbx", 5038, "u", "s", False)  # listens only
    dialer = await store.ami.add(tid, "pbx", 5038, "u", "s", False, dial=True)
    assert await store.ami.can_dial(tid)
    assert not await store.ami.can_dial(other.id)
    assert await store.ami.remove(dialer.id)
    assert not await store.ami.can_dial(tid)
    assert not await store.redis.exists(keys.ami_dialers(tid))  # nothing left behind


async def test_can_dial_ignores_an_index_entry_whose_link_is_gone(store: Store, tid):
    # What a crash between writing the index and the link leaves.
    await store.redis.sadd(keys.ami_dialers(tid), "77")
    assert not await store.ami.can_dial(tid)


async def test_schema_2_indexes_the_dial_links_an_older_version_wrote(store: Store, tid):
    old = {"id": "5", "tenant_id": tid, "host": "pbx", "port": 5038, "username": "u",
           "tls": False, "secret": "sealed", "dial": True}  # fmt: skip
    await store.redis.hset(keys.AMI, "5", json.dumps(old))
    await store.redis.set(keys.SCHEMA, 1)
    assert not await store.ami.can_dial(tid)  # before the migration: not indexed
    assert await store.migrate() == 2
    assert await store.ami.can_dial(tid)


async def test_throttle_counts_attempts_made_in_the_same_instant(store: Store):
    for _ in range(WRONG_KEY_LIMIT):
        assert await store.throttle.failure(11) is None
    assert await store.throttle.failure(11) is not None
