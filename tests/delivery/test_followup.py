"""What the PBX says next: answered and outbound calls matched to the caller's open card."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from delivery.followup import apply, open_card
from delivery.intake import Intake
from store.cards import Resolution, State
from store.events import AnsweredEvent, CallEvent, OutboundEvent


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


# --- a follow-up event before its card exists (the fan-out makes it a moment later) --------


async def _missed_then_card(store, tenant, call_id="m1", caller="87011234567"):
    receipt = await Intake(store).submit(tenant, CallEvent(call_id=call_id, caller=caller))
    assert receipt.outcome == "accepted"
    rec = await store.calls.get(tenant.id, call_id)
    return await open_card(store, tenant, CallEvent(call_id=call_id, caller=caller), rec)


async def test_a_call_back_applied_before_the_card_exists_resolves_it_from_the_start(
    store, kz, clock
):
    await Intake(store).submit(kz, CallEvent(call_id="m1", caller="87011234567"))
    clock.advance(30)  # called back before the fan-out got to the missed call
    assert await apply(store, kz, _out("o1", "+77011234567", True, extension="102"))
    clock.advance(1)
    rec = await store.calls.get(kz.id, "m1")
    opened = await open_card(store, kz, CallEvent(call_id="m1", caller="87011234567"), rec)
    assert opened.new
    card = opened.card
    assert (card.state, card.resolution, card.extension) == (
        State.RESOLVED,
        Resolution.CALLED_BACK,
        "102",
    )
    assert card.time_to_callback == 30
    assert await store.followups.take_early(kz.id, "+77011234567") == []  # used up


async def test_an_answered_retry_before_the_card_resolves_it_as_got_through(store, kz, clock):
    await Intake(store).submit(kz, CallEvent(call_id="m1", caller="87011234567"))
    assert await apply(store, kz, AnsweredEvent(type="answered", call_id="a1", caller="7011234567"))
    rec = await store.calls.get(kz.id, "m1")
    card = (await open_card(store, kz, CallEvent(call_id="m1", caller="87011234567"), rec)).card
    assert card.resolution is Resolution.GOT_THROUGH
    # An unanswered call back before the card is an attempt on it.
    await Intake(store).submit(kz, CallEvent(call_id="m2", caller="87011234567"))
    assert await apply(store, kz, _out("o2", "87011234567", False))
    rec = await store.calls.get(kz.id, "m2")
    card = (await open_card(store, kz, CallEvent(call_id="m2", caller="87011234567"), rec)).card
    assert (card.state, card.attempts) == (State.OPEN, 1)


async def test_calls_of_a_number_from_before_its_missed_call_do_not_resolve_it(store, kz, clock):
    assert await apply(store, kz, _out("o1", "87011234567", True))  # nobody had missed them
    clock.advance(600)
    card = (await _missed_then_card(store, kz)).card
    assert (card.state, card.resolution) == (State.OPEN, None)
