"""The card model (store/cards.py): callers in E.164, the record's round trip, due members."""

from __future__ import annotations

import pytest

from store.cards import (
    Card,
    Resolution,
    State,
    Step,
    card_of_record,
    due_member,
    normalise,
    parse_due,
    record_of,
    replaced,
)


@pytest.mark.parametrize(
    "raw,region,expected",
    [
        ("+77011234567", "KZ", "+77011234567"),
        ("87011234567", "KZ", "+77011234567"),
        ("7011234567", "KZ", "+77011234567"),
        ("8 (495) 123-45-67", "RU", "+74951234567"),
        ("+7 495 123 45 67", "RU", "+74951234567"),
        ("102", "RU", "102"),
        ("anonymous", "RU", "anonymous"),
    ],
)
def test_numbers_are_one_caller_in_e164(raw, region, expected):
    assert normalise(raw, region) == expected


def _card(**changes: object) -> Card:
    record = {"id": "k1", "call_id": "c1", "caller": "+74951234567", "group": "default",
              "state": "open", "first_seen": "100.5", "last_seen": "100.5", "count": "1",
              "version": "1"}  # fmt: skip
    card = card_of_record("7", record)
    assert card is not None
    return replaced(card, **changes) if changes else card


def test_a_card_survives_its_record_round_trip():
    card = _card(state=State.RESOLVED.value, resolution=Resolution.CALLED_BACK.value,
                 resolved_by=42, resolved_name="Анна", resolved_at=130.25, attempts=2)  # fmt: skip
    again = card_of_record("7", record_of(card))
    assert again == card
    assert (again.state, again.resolution, again.resolved_by) == (
        State.RESOLVED,
        Resolution.CALLED_BACK,
        42,
    )
    assert again.resolved_at == 130.25 and again.first_seen == 100.5


def test_a_record_without_its_id_is_no_card():
    assert card_of_record("7", {}) is None


def test_due_members_name_tenant_card_and_step():
    due = parse_due(due_member("7", "k1", Step.ESCALATE))
    assert due is not None and (due.tenant_id, due.card, due.step) == ("7", "k1", Step.ESCALATE)
    assert parse_due("7|k1|nonsense") is None
