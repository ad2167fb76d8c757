"""Intake contract: idempotent, group-aware, durable before it answers, on every backend."""

import asyncio
import json

import fakeredis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delivery import keys as delivery_keys
from delivery.intake import Intake, Outcome
from delivery.outbox import Once, Outbox
from store import Store, keys
from store.crypto import SecretBox
from store.events import CallEvent
from tests.intake_view import intake_fields


@pytest.fixture(params=["fakeredis", "real-redis", "cluster", "sentinel"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    """What ingest writes is one single-slot step per tenant: it holds on a Cluster too."""
    return request.param


async def _tenant(store: Store, new_groups: bool = True):
    tenant, _ = await store.tenants.create("A", "Europe/Moscow", "ru", new_groups=new_groups)
    return tenant


async def _intake_entries(store: Store) -> list[dict]:
    return await intake_fields(store.redis)


async def test_accepted_once_then_duplicate(store: Store):
    tenant = await _tenant(store)
    intake = Intake(store)
    event = CallEvent(call_id="c-1", caller="+74950000000")
    assert (await intake.submit(tenant, event)).outcome is Outcome.ACCEPTED
    assert (await intake.submit(tenant, event)).outcome is Outcome.DUPLICATE
    entries = await _intake_entries(store)
    assert entries == [{"kind": "call", "tenant": tenant.id, "call_id": "c-1"}]
    stored = await store.calls.get(tenant.id, "c-1")
    assert json.loads(stored.payload)["caller"] == "+74950000000"
    assert stored.group_id == "default"


async def test_a_new_group_notifies_at_once_by_default_and_is_announced(store: Store):
    tenant = await _tenant(store)
    receipt = await Intake(store).submit(tenant, CallEvent(call_id="1", caller="1", group="sales"))
    assert receipt.outcome is Outcome.ACCEPTED
    assert (await store.groups.get(tenant.id, "sales")).notify is True
    assert await _intake_entries(store) == [
        {"kind": "group_new", "tenant": tenant.id, "group": "sales"},
        {"kind": "call", "tenant": tenant.id, "call_id": "1"},
    ]


async def test_a_tenant_stored_before_the_policy_keeps_new_groups_off(store: Store):
    tenant = await _tenant(store)
    await store.redis.hdel(keys.tenant(tenant.id), "new_groups")  # as an older version wrote it
    tenant = await store.tenants.get(tenant.id)
    assert tenant.new_groups is False
    receipt = await Intake(store).submit(tenant, CallEvent(call_id="1", caller="1", group="q"))
    assert receipt.outcome is Outcome.IGNORED


async def test_ignored_calls_are_counted_per_group_for_a_week(store: Store, clock):
    tenant = await _tenant(store, new_groups=False)
    intake = Intake(store)
    await intake.submit(tenant, CallEvent(call_id="1", caller="1", group="sales"))
    clock.advance(3 * 86_400)
    await intake.submit_many(
        tenant,
        [
            CallEvent(call_id="2", caller="1", group="sales"),
            CallEvent(call_id="3", caller="1", group="support"),
            CallEvent(call_id="4", caller="1"),  # the default group notifies: not counted
        ],
    )
    week = await store.groups.ignored_this_week(tenant.id, ["sales", "support", "default"])
    assert week == {"sales": 2, "support": 1, "default": 0}
    clock.advance(5 * 86_400)  # the first call is now 8 days old
    assert (await store.groups.ignored_this_week(tenant.id, ["sales"])) == {"sales": 1}
    ttl = await store.redis.ttl(keys.group_ignored(tenant.id, "sales"))
    assert 0 < ttl <= 8 * 86_400  # the counter goes away by itself


async def test_new_group_is_created_off_announced_once_and_ignored(store: Store):
    tenant = await _tenant(store, new_groups=False)
    intake = Intake(store)
    first = await intake.submit(tenant, CallEvent(call_id="1", caller="1", group="sales"))
    second = await intake.submit(tenant, CallEvent(call_id="2", caller="1", group="sales"))
    assert first.outcome is Outcome.IGNORED and "sales" in first.reason
    assert second.outcome is Outcome.IGNORED
    assert (await store.groups.get(tenant.id, "sales")).notify is False
    assert await _intake_entries(store) == [
        {"kind": "group_new", "tenant": tenant.id, "group": "sales"}
    ]
    assert await store.calls.get(tenant.id, "1") is None


async def test_group_switched_on_accepts(store: Store):
    tenant = await _tenant(store)
    await store.groups.ensure(tenant.id, "sales", "Sales", notify=True)
    receipt = await Intake(store).submit(
        tenant, CallEvent(call_id="9", caller="100", group="sales", group_name="ignored here")
    )
    assert receipt.outcome is Outcome.ACCEPTED
    assert (await store.groups.get(tenant.id, "sales")).name == "Sales"


async def test_same_call_id_in_two_tenants_is_two_calls(store: Store):
    a = await _tenant(store)
    b, _ = await store.tenants.create("B", "UTC", "en")
    intake = Intake(store)
    event = CallEvent(call_id="same", caller="1")
    assert (await intake.submit(a, event)).outcome is Outcome.ACCEPTED
    assert (await intake.submit(b, event)).outcome is Outcome.ACCEPTED


async def test_every_outbox_entry_and_its_once_flag_are_one_step(store: Store):
    tenant = await _tenant(store)
    outbox = Outbox(store)
    flag = Once(delivery_keys.told_broken(tenant.id, "b1"), 60)
    assert await outbox.admins(tenant.id, "first", once=flag) is not None
    assert await outbox.admins(tenant.id, "again", once=flag) is None
    await outbox.service(tenant.id, 5, "to one chat")
    await outbox.followers(tenant.id, "default", "to the followers")
    kinds = [(f["kind"], f["text"]) for f in await intake_fields(store.redis, tenant.id)]
    assert kinds == [
        ("admins", "first"),
        ("service", "to one chat"),
        ("followers", "to the followers"),
    ]
    assert [r.tenant for r in await store.intake.ready()] == [tenant.id]


# --- submit_many: the batched path must answer and store exactly what `submit` would ---


async def _stored(store: Store, tid: str) -> tuple[list, list, list]:
    calls = {}
    for cid in await store.redis.zrange(keys.calls(tid), 0, -1):
        c = await store.calls.get(tid, cid)
        calls[cid] = (c.group_id, c.payload)
    groups = [(g.id, g.name, g.notify) for g in await store.groups.list(tid)]
    # Calls keep their order and new groups theirs; how the two kinds interleave is free.
    stream = await intake_fields(store.redis, tid)
    by_kind = [[f for f in stream if f["kind"] == kind] for kind in ("call", "group_new")]
    return sorted(calls.items()), groups, by_kind


_events = st.lists(
    st.builds(
        CallEvent,
        call_id=st.sampled_from(["a", "b", "c", "d"]),
        caller=st.just("100"),
        group=st.sampled_from([None, "on", "off", "new1", "new2"]),
        group_name=st.sampled_from([None, "N1", "N2"]),
    ),
    min_size=0,
    max_size=12,
)


async def _compare(batches: list[list[CallEvent]]) -> None:
    sides = []
    for batched in (False, True):
        clock = lambda: 1_800_000_000.0  # noqa: E731
        redis = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer(), decode_responses=True)
        store = Store(redis, SecretBox("test-secret-key-not-for-production"), clock)
        tenant = await _tenant(store)
        await store.groups.ensure(tenant.id, "on", notify=True)
        await store.groups.ensure(tenant.id, "off", notify=False)
        intake = Intake(store)
        receipts = []
        for batch in batches:
            if batched:
                receipts += await intake.submit_many(tenant, batch)
            else:
                receipts += [await intake.submit(tenant, e) for e in batch]
        sides.append((receipts, await _stored(store, tenant.id)))
        await redis.aclose()
    assert sides[0] == sides[1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_events, min_size=1, max_size=3))
def test_submit_many_equals_submitting_one_by_one(batches):
    asyncio.run(_compare(batches))


async def test_submit_many_batch_in_order_on_both_backends(store: Store):
    tenant = await _tenant(store)
    await store.groups.ensure(tenant.id, "off", notify=False)
    intake = Intake(store)
    await intake.submit(tenant, CallEvent(call_id="old", caller="1"))
    batch = [
        CallEvent(call_id="n1", caller="1"),
        CallEvent(call_id="old", caller="1"),
        CallEvent(call_id="m", caller="1", group="off"),
        CallEvent(call_id="n1", caller="2"),
        CallEvent(call_id="n2", caller="3", extensions=["101"]),
    ]
    receipts = await intake.submit_many(tenant, batch)
    assert [r.outcome for r in receipts] == [
        Outcome.ACCEPTED,
        Outcome.DUPLICATE,
        Outcome.IGNORED,
        Outcome.DUPLICATE,
        Outcome.ACCEPTED,
    ]
    assert [r.call_id for r in receipts] == ["n1", "old", "m", "n1", "n2"]
    assert [f["call_id"] for f in await _intake_entries(store)] == ["old", "n1", "n2"]
    assert json.loads((await store.calls.get(tenant.id, "n2")).payload)["extensions"] == ["101"]
    assert await intake.submit_many(tenant, []) == []


async def test_concurrent_batches_record_each_call_once(store: Store):
    tenant = await _tenant(store)
    intake = Intake(store)
    ids = [f"c{i}" for i in range(30)]
    one = [CallEvent(call_id=c, caller="1") for c in ids]
    two = [CallEvent(call_id=c, caller="1") for c in reversed(ids)]
    results = await asyncio.gather(*(intake.submit_many(tenant, b) for b in (one, two, one)))
    accepted = [r.call_id for rs in results for r in rs if r.outcome is Outcome.ACCEPTED]
    assert sorted(accepted) == sorted(ids)
    assert sorted(f["call_id"] for f in await _intake_entries(store)) == sorted(ids)
