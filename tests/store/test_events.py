"""The CallEvent model: what every PBX source may hand in, as a table."""

import pytest
from pydantic import ValidationError

from store.events import CallEvent

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
