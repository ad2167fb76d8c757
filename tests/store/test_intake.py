"""Contract: the intake protocol (typed entries, per-tenant streams, the sharded ready index)."""

from __future__ import annotations

import asyncio

import pytest

from store import Store, keys
from store.intake import (
    SHARDS,
    AdminsEntry,
    CallEntry,
    CardDueEntry,
    CardEntry,
    FollowersEntry,
    GroupNewEntry,
    Malformed,
    ServiceEntry,
    append,
    decode,
    drain_legacy,
    shard,
)

MARKUP = {"inline_keyboard": [[{"text": "Да", "callback_data": "x"}]]}
ENTRIES = [
    CallEntry("1", "c-1"),
    GroupNewEntry("1", "sales"),
    CardEntry("1", "7"),
    CardDueEntry("1", "7", "escalate"),
    ServiceEntry("1", -100500, "<b>hi</b>", MARKUP, 1_800_000_000.5),
    ServiceEntry("1", 5, "no markup"),
    AdminsEntry("1", "to the admins", None, 3.0),
    FollowersEntry("1", "sales", "to the followers", MARKUP, 4.0),
]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: type(e).__name__)
def test_every_kind_decodes_what_it_encodes(entry):
    fields = entry.encode()
    assert all(isinstance(v, str) for v in fields.values())
    assert decode(fields) == entry


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"kind": "call"},
        {"kind": "nope", "tenant": "1"},
        {"kind": "call", "tenant": "1"},
        {"kind": "card_due", "tenant": "1", "card": "7"},
        {"kind": "service", "tenant": "1", "chat": "not a number", "text": "hi"},
        {"kind": "service", "tenant": "1", "chat": "5", "text": ""},
        {"kind": "admins", "tenant": "1", "text": "hi", "markup": "{not json"},
        {"kind": "admins", "tenant": "1", "text": "hi", "markup": "[1]"},
        {"kind": "followers", "tenant": "1", "text": "hi"},
        {"kind": "admins", "tenant": "1", "text": "hi", "at": "soon"},
    ],
)
def test_what_no_kind_fits_is_malformed(fields):
    with pytest.raises(Malformed):
        decode(fields)


async def test_a_recorded_call_is_in_its_tenants_stream_and_the_index(store: Store):
    a, _ = await store.tenants.create("A", "UTC", "ru")
    b, _ = await store.tenants.create("B", "UTC", "ru")
    assert await store.calls.record(a.id, "c-1", "default", "{}")
    assert [decode(f) for _, f in await store.redis.xrange(keys.intake(a.id))] == [
        CallEntry(a.id, "c-1")
    ]
    assert await store.redis.xlen(keys.intake(b.id)) == 0
    assert [r.tenant for r in await store.intake.ready()] == [a.id]
    # A repeat records nothing and bumps nothing.
    [before] = await store.intake.ready()
    assert not await store.calls.record(a.id, "c-1", "default", "{}")
    assert await store.intake.ready() == [before]


async def test_a_settled_tenant_is_back_with_its_next_append(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    await store.intake.add([CardEntry(tenant.id, "1")])
    [read] = await store.intake.ready()
    await store.intake.settle(read)
    await store.intake.settle(read)  # another worker settled it too: nothing breaks
    assert await store.intake.ready() == []
    await store.intake.add([CardEntry(tenant.id, "2")])
    assert [r.tenant for r in await store.intake.ready()] == [tenant.id]


async def test_the_sweep_finds_an_entry_whose_mark_a_crash_lost(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    other, _ = await store.tenants.create("B", "UTC", "ru")
    # Step 1 only: the MULTI appended, the process died before marking.
    async with store.redis.pipeline(transaction=True) as pipe:
        append(CallEntry(tenant.id, "c-1"), pipe)
        await pipe.execute()
    assert await store.intake.ready() == []
    assert await store.intake.sweep(page=1) == 1  # paged: every tenant is looked at
    assert [r.tenant for r in await store.intake.ready()] == [tenant.id]
    assert await store.intake.backlog() == 1
    assert other.id not in [r.tenant for r in await store.intake.ready()]


async def test_the_index_is_spread_over_shards_each_in_its_own_slot(store: Store):
    tids = [str(n) for n in range(1, 200)]
    assert len({shard(t) for t in tids}) == SHARDS
    await store.intake.mark(tids)
    assert sorted(r.tenant for r in await store.intake.ready(per_shard=1000)) == sorted(tids)
    tags = {keys.intake_ready(n).split("{")[1].split("}")[0] for n in range(SHARDS)}
    assert len(tags) == SHARDS


async def test_an_upgrade_moves_the_old_single_stream_into_the_tenants_streams(store: Store):
    a, _ = await store.tenants.create("A", "UTC", "ru")
    b, _ = await store.tenants.create("B", "UTC", "ru")
    old = [
        CallEntry(a.id, "c-1").encode(),
        GroupNewEntry(b.id, "sales").encode(),
        {"kind": "service", "tenant": a.id, "chat": "bad", "text": "x"},  # still moved
        {"kind": "call"},  # no tenant: nowhere to go
    ]
    for fields in old:
        await store.redis.xadd(keys.LEGACY_INTAKE, fields)
    assert await drain_legacy(store.redis, store.intake, batch=2) == 3
    assert not await store.redis.exists(keys.LEGACY_INTAKE)
    assert [f for _, f in await store.redis.xrange(keys.intake(a.id))] == [old[0], old[2]]
    assert [f for _, f in await store.redis.xrange(keys.intake(b.id))] == [old[1]]
    assert sorted(r.tenant for r in await store.intake.ready()) == sorted([a.id, b.id])
    assert await drain_legacy(store.redis, store.intake) == 0  # once


async def test_due_steps_go_to_their_tenants_streams(store: Store, clock):
    a, _ = await store.tenants.create("A", "UTC", "ru")
    b, _ = await store.tenants.create("B", "UTC", "ru")
    fu = store.followups
    ca = (await fu.open_call(a.id, "c1", "+74951234567", "default", clock.now, window=60)).card
    cb = (await fu.open_call(b.id, "c2", "+74951234568", "default", clock.now, window=60)).card
    clock.advance(61)
    assert await fu.take_due() == 2
    assert await fu.take_due() == 0
    got_a = [decode(f) for _, f in await store.redis.xrange(keys.intake(a.id))]
    got_b = [decode(f) for _, f in await store.redis.xrange(keys.intake(b.id))]
    assert got_a == [CardDueEntry(a.id, ca.id, "expire")]
    assert got_b == [CardDueEntry(b.id, cb.id, "expire")]
    assert sorted(r.tenant for r in await store.intake.ready()) == sorted([a.id, b.id])


async def test_a_busy_tenant_keeps_its_place_before_quieter_ones(store):
    """Marks keep the first mark's time: a tenant marked again and again is still read before
    tenants marked after it, even when its shard holds more than one page."""
    busy = next(str(t) for t in range(1000) if shard(str(t)) == 0)
    quiet = [str(t) for t in range(1000, 5000) if shard(str(t)) == 0][:70]
    await store.intake.mark([busy])
    await asyncio.sleep(0.005)  # the others' first marks come later
    for tid in quiet:
        await store.intake.mark([tid])
        await store.intake.mark([busy])  # another entry for the busy one
    page = {r.tenant for r in await store.intake.ready(per_shard=64)}
    assert busy in page


@pytest.mark.parametrize("until", ["nan", "inf", "soon", ""])
def test_a_weekly_entry_with_a_bad_until_is_malformed(until):
    with pytest.raises(Malformed):
        decode({"kind": "weekly", "tenant": "1", "until": until})
