"""The CallEvent model: what every PBX source may hand in, as a table."""

import pytest
from pydantic import ValidationError

from store.events import EVENT, AnsweredEvent, CallEvent, OutboundEvent

OK = {"call_id": "c1", "caller": "+74951234567"}


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"group": "a b"}, "group"),
        ({"group": "a:b"}, "group"),
        ({"group": ""}, "group"),
        ({"started_at": "2026-01-31T09:15:00"}, "started_at"),
        ({"wait_seconds": -1}, "wait_seconds"),
        ({"extensions": [""]}, "extensions"),
        ({"unknown": 1}, "unknown"),
        ({"caller": ""}, "caller"),
        ({"call_id": "x" * 129}, "call_id"),
    ],
)
def test_invalid_events_name_the_field(extra, field):
    with pytest.raises(ValidationError) as err:
        CallEvent.model_validate({**OK, **extra})
    assert err.value.errors()[0]["loc"][0] == field


def test_valid_event_keeps_its_values():
    event = CallEvent.model_validate(
        {**OK, "group": "sales", "started_at": "2026-01-31T09:15:00+03:00", "voicemail": True}
    )
    assert event.group == "sales" and event.voicemail and event.started_at.utcoffset()


@pytest.mark.parametrize(
    "body,kind",
    [
        (OK, CallEvent),
        ({"type": "answered", "call_id": "a1", "caller": "+7495", "answered_by": "101"},
         AnsweredEvent),
        ({"type": "outbound", "call_id": "o1", "callee": "+7495", "answered": True},
         OutboundEvent),
        ({"type": "outbound", "call_id": "o2", "callee": "+7495", "answered": False,
          "extension": "102", "talk_seconds": 0}, OutboundEvent),
    ],
)  # fmt: skip
def test_the_type_picks_the_model(body, kind):
    event = EVENT.validate_python(body)
    assert isinstance(event, kind)
    assert event.type == body.get("type", "missed")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"type": "transfer", "call_id": "x", "caller": "1"}, None),
        ({"type": "outbound", "call_id": "x", "callee": "1"}, "answered"),
        ({"type": "answered", "call_id": "x"}, "caller"),
        ({"type": "answered", "call_id": "x", "caller": "1", "started_at": "2026-01-31T09:15"},
         "started_at"),
        ({"type": "outbound", "call_id": "x", "callee": "1", "answered": True, "caller": "2"},
         "caller"),
    ],
)  # fmt: skip
def test_bad_typed_events_are_refused(body, field):
    with pytest.raises(ValidationError) as err:
        EVENT.validate_python(body)
    first = err.value.errors()[0]
    if field is None:
        assert first["type"] == "unknown_type"
    else:
        assert field in first["loc"]
