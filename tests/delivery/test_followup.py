"""What the PBX says next: answered and outbound calls matched to the caller's open card."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from delivery.followup import apply
from store.events import AnsweredEvent, OutboundEvent
from store.followup import Resolution, State


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    """Cards and their intake entries share the tenant's slot: this holds on a Cluster too."""
    return request.param


@pytest.fixture
async def kz(store):
    tenant, _ = await store.tenants.create("Алма", "Asia/Almaty", "ru")
    return tenant


async def _open(store, tenant, clock, call_id="c1", caller="+77011234567"):
    return (await store.followups.open_call(tenant.id, call_id, caller, "default", clock.now)).card


def _out(call_id, callee, answered, at=None, **extra):
    return OutboundEvent(type="outbound", call_id=call_id, callee=callee, answered=answered,
                         started_at=at, **extra)  # fmt: skip


async def test_unanswered_then_answered_call_back_in_any_spelling(store, kz, clock):
    card = await _open(store, kz, clock)
    clock.advance(60)
    assert await apply(store, kz, _out("o1", "87011234567", False))
    tried = await store.followups.get(kz.id, card.id)
    assert (tried.state, tried.attempts, tried.last_attempt_at) == (State.OPEN, 1, clock.now)
    assert not await apply(store, kz, _out("o1", "87011234567", False))  # idempotent
    assert (await store.followups.get(kz.id, card.id)).attempts == 1
    clock.advance(60)
    assert await apply(store, kz, _out("o2", "7011234567", True, extension="102"))
    done = await store.followups.get(kz.id, card.id)
    assert (done.resolution, done.extension, done.time_to_callback) == (
        Resolution.CALLED_BACK, "102", 120
    )  # fmt: skip


async def test_an_answered_inbound_call_resolves_as_got_through(store, kz, clock):
    card = await _open(store, kz, clock)
    ev = AnsweredEvent(type="answered", call_id="a1", caller="8 701 123 45 67")
    assert await apply(store, kz, ev)
    got = await store.followups.get(kz.id, card.id)
    assert got.resolution is Resolution.GOT_THROUGH
    assert (await store.followups.history(kz.id, "+77011234567")).last_answered == clock.now


async def test_calls_outside_the_window_or_to_others_resolve_nothing(store, kz, clock):
    card = await _open(store, kz, clock)
    late = datetime.fromtimestamp(clock.now + 25 * 3600, UTC)
    early = datetime.fromtimestamp(clock.now - 3600, UTC)
    for event in (
        _out("o1", "+77011234567", True, late),
        _out("o2", "+77011234567", True, early),
        _out("o3", "+77017654321", True),
    ):
        assert await apply(store, kz, event)
    assert (await store.followups.get(kz.id, card.id)).state is State.OPEN
