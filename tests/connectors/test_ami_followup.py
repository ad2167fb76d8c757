"""The follow-up loop on real Asterisk captures: a caller missed under one Linkedid and
answered on a retry under another ends with the first card resolved as got through.

Semantics relied on (recorded in tests/data/asterisk/expected.json): capture 01 is a ring
group nobody answered (MISSED, Linkedid 1795782534.0), capture 03 the same caller's next call
answered by 102 (ANSWERED, Linkedid 1795782554.12); both carry CallerIDNum 77011234567.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.asterisk.detector import MissedCallDetector
from connectors.asterisk.parser import AmiParser
from connectors.asterisk.verdict import Verdict, to_answered_event, to_call_event
from delivery.followup import open_card
from delivery.intake import Intake
from store.followup import Resolution, State


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
