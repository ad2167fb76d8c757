"""The follow-up loop on Asterisk streams: a caller missed under one Linkedid and answered on a
retry under another ends with the first card resolved as got through (real captures); a
phone's call to the caller resolves it as called back, or is an attempt (constructed streams).

Semantics relied on (recorded in tests/data/asterisk/expected.json): capture 01 is a ring
group nobody answered (MISSED, Linkedid 1795782534.0), capture 03 the same caller's next call
answered by 102 (ANSWERED, Linkedid 1795782554.12); both carry CallerIDNum 77011234567.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.asterisk.detector import DetectorSettings, MissedCallDetector
from connectors.asterisk.parser import AmiParser
from connectors.asterisk.verdict import (
    Verdict,
    to_answered_event,
    to_call_event,
    to_followup_event,
)
from delivery.followup import open_card
from delivery.intake import Intake
from store.cards import Resolution, State


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    """Cards and their intake entries share the tenant's slot: this holds on a Cluster too."""
    return request.param


NOW = 1_900_000_000.0
CAPTURES = Path(__file__).resolve().parents[1] / "data" / "asterisk"


def _verdicts(name: str) -> list[Verdict]:
    detector = MissedCallDetector()
    out: list[Verdict] = []
    for msg in AmiParser().feed((CAPTURES / name).read_bytes()):
        out += detector.feed(msg, NOW)
    return out + detector.tick(NOW + 60)


async def test_missed_then_answered_on_a_retry_resolves_the_first_card(store):
    tenant, _ = await store.tenants.create("Алма", "Asia/Almaty", "ru")
    intake = Intake(store)
    [missed] = _verdicts("01-ringgroup-noanswer.ami")
    [answered] = _verdicts("03-ringgroup-answered.ami")
    assert missed.linkedid != answered.linkedid and missed.caller == answered.caller

    event = to_call_event(missed)
    assert (await intake.submit(tenant, event)).outcome == "accepted"
    rec = await store.calls.get(tenant.id, event.call_id)
    card = (await open_card(store, tenant, event, rec)).card  # as the fan-out does
    assert card.caller == "+77011234567" and card.state is State.OPEN

    follow = to_answered_event(answered)
    assert (follow.caller, follow.answered_by) == ("77011234567", "102")
    [receipt] = await intake.submit_followups(tenant, [follow])
    assert receipt.outcome == "accepted"
    done = await store.followups.get(tenant.id, card.id)
    assert (done.state, done.resolution) == (State.RESOLVED, Resolution.GOT_THROUGH)
    assert (await intake.submit_followups(tenant, [follow]))[0].outcome == "duplicate"


# --- outbound calls: constructed streams (tests/data/asterisk/constructed/, see README) -------

CONSTRUCTED = CAPTURES / "constructed"
DIALLED_AT = 1795790000.0  # the phone's Newchannel / DialBegin in the constructed streams


def _outbound(name: str) -> Verdict:
    detector = MissedCallDetector()
    out: list[Verdict] = []
    for msg in AmiParser().feed((CONSTRUCTED / name).read_bytes()):
        out += detector.feed(msg, NOW)
    out += detector.tick(NOW + 60)
    assert detector.live_calls == 0
    [verdict] = out
    return verdict


def test_a_phone_calling_an_outside_number_is_an_outbound_verdict():
    v = _outbound("20-outbound-answered.ami")
    assert (v.kind, v.callee, v.answered_by, v.caller) == ("outbound", "87011234567", "102", None)
    event = to_followup_event(v, call_id_prefix="ami:7:")
    assert event.type == "outbound" and event.call_id == "ami:7:1795790000.40"
    assert (event.callee, event.extension, event.answered) == ("87011234567", "102", True)
    assert event.started_at.timestamp() == pytest.approx(DIALLED_AT + 0.002)
    assert event.talk_seconds == pytest.approx(130.0, abs=0.01)

    missed = to_followup_event(_outbound("21-outbound-noanswer.ami"))
    assert (missed.type, missed.answered, missed.talk_seconds) == ("outbound", False, None)


def test_internal_calls_and_inbound_calls_are_not_outbound():
    # A phone dialling a colleague (a short number) is no outbound call; neither is a stream
    # whose internal context is not configured.
    body = (CONSTRUCTED / "20-outbound-answered.ami").read_bytes()
    short = body.replace(b"87011234567", b"101")
    assert not _feed_all(short)
    other = MissedCallDetector(DetectorSettings(internal_contexts=("desks",)))
    assert not _feed_all(body, other)
    # The real inbound captures still give exactly their inbound verdicts.
    assert [v.kind for v in _verdicts("03-ringgroup-answered.ami")] == ["answered"]


def _feed_all(data: bytes, detector: MissedCallDetector | None = None) -> list[Verdict]:
    detector = detector or MissedCallDetector()
    out: list[Verdict] = []
    for msg in AmiParser().feed(data):
        out += detector.feed(msg, NOW)
    return out + detector.tick(NOW + 60)


async def _card_missed_before(store, clock, intake):
    tenant, _ = await store.tenants.create("Алма", "Asia/Almaty", "ru")
    clock.now = DIALLED_AT - 600  # the customer was missed ten minutes before the call back
    [missed] = _verdicts("01-ringgroup-noanswer.ami")
    event = to_call_event(missed)
    await intake.submit(tenant, event)
    rec = await store.calls.get(tenant.id, event.call_id)
    card = (await open_card(store, tenant, event, rec)).card
    clock.now = DIALLED_AT + 200
    return tenant, card


async def test_answered_outbound_call_resolves_the_card_as_called_back_by_the_extension(
    store, clock
):
    intake = Intake(store)
    tenant, card = await _card_missed_before(store, clock, intake)
    follow = to_followup_event(_outbound("20-outbound-answered.ami"))
    [receipt] = await intake.submit_followups(tenant, [follow])
    assert receipt.outcome == "accepted"
    done = await store.followups.get(tenant.id, card.id)
    assert (done.state, done.resolution, done.extension) == (
        State.RESOLVED,
        Resolution.CALLED_BACK,
        "102",
    )
    assert done.talk_seconds == pytest.approx(130.0, abs=0.01)
    assert done.resolved_at == pytest.approx(DIALLED_AT + 0.002)


async def test_unanswered_outbound_call_is_an_attempt_and_resolves_nothing(store, clock):
    intake = Intake(store)
    tenant, card = await _card_missed_before(store, clock, intake)
    follow = to_followup_event(_outbound("21-outbound-noanswer.ami"))
    [receipt] = await intake.submit_followups(tenant, [follow])
    assert receipt.outcome == "accepted"
    after = await store.followups.get(tenant.id, card.id)
    assert (after.state, after.attempts) == (State.OPEN, 1)
    assert after.last_attempt_at == pytest.approx(DIALLED_AT + 0.002)
