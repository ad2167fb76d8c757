"""Intake contract: idempotent, group-aware, durable before it answers (fakeredis and Redis)."""

import json

from delivery.intake import Intake, Outcome
from store import Store, keys
from store.events import CallEvent


async def _tenant(store: Store):
    tenant, _ = await store.tenants.create("A", "Europe/Moscow", "ru")
    return tenant


async def _intake_entries(store: Store) -> list[dict]:
    return [fields for _, fields in await store.redis.xrange(keys.INTAKE)]


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


async def test_new_group_is_created_off_announced_once_and_ignored(store: Store):
    tenant = await _tenant(store)
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
