"""Schemathesis-style: requests generated from the published OpenAPI document, answers checked.

Events are drawn from the document's own CallEvent schema; a drawn event (or batch) must be
accepted with 202, and one broken on purpose must be refused with 422 naming that very field.
Every answer must match the documented response for its status.
"""

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webhook_ingest.openapi import document

DOC = document()
SCHEMAS = DOC["components"]["schemas"]
# Printable, no whitespace: the model strips whitespace, which a schema cannot express.
TEXT_CHARS = st.characters(exclude_categories=("C", "Z"))
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
ID_CHARS = "ABCXYZabcxyz0189_.-"
DATETIMES = st.datetimes(datetime(1900, 1, 2), datetime(2200, 1, 1), timezones=OFFSETS)


def from_schema(schema: dict) -> st.SearchStrategy:
    """A strategy for the subset of JSON Schema that pydantic emits for CallEvent."""
    if "$ref" in schema:
        return from_schema(SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]])
    if "const" in schema:
        return st.just(schema["const"])
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return st.one_of([from_schema(s) for s in schema[combinator]])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
    if kind == "string":
        if schema.get("format") == "date-time":
            return DATETIMES.map(lambda d: d.isoformat())
        low, high = schema.get("minLength", 0), min(schema.get("maxLength", 40), 40)
        if "pattern" in schema:
            return st.text(st.sampled_from(ID_CHARS), min_size=max(1, low), max_size=high)
        return st.text(TEXT_CHARS, min_size=max(1, low), max_size=high)
    if kind == "array":
        return st.lists(from_schema(schema["items"]), max_size=min(schema.get("maxItems", 5), 5))
    if kind == "object":
        props = schema["properties"]
        required = {k: from_schema(props[k]) for k in schema.get("required", [])}
        optional = {k: from_schema(v) for k, v in props.items() if k not in required}
        return st.fixed_dictionaries(required, optional=optional)
    raise AssertionError(f"unhandled schema {schema}")


EVENTS = from_schema({"$ref": "#/components/schemas/CallEvent"})
ANY_EVENTS = from_schema({"$ref": "#/components/schemas/PbxEvent"})
BODIES = ANY_EVENTS | st.lists(ANY_EVENTS, min_size=1, max_size=8)
# A way to break one event, and the field the error must name.
BREAKS = st.sampled_from(
    [
        ("drop", "call_id"),
        ("drop", "caller"),
        ("set", "caller", 42),
        ("set", "wait_seconds", -1),
        ("set", "wait_seconds", "soon"),
        ("set", "voicemail", "maybe"),
        ("set", "started_at", "2026-01-31T09:15:00"),
        ("set", "group", "two words"),
        ("set", "extensions", "101"),
        ("set", "no_such_field", 1),
    ]
)
SCHEMA_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _post(live, body: object):
    headers = {"Authorization": f"Bearer {live.key}", "Content-Type": "application/json"}
    return live.request("POST", "/v1/events", headers, json.dumps(body).encode())


@SCHEMA_SETTINGS
@given(body=BODIES)
def test_generated_events_are_accepted(live, conformance, body):
    status, headers, data = _post(live, body)
    got = conformance.check("/v1/events", "POST", status, headers["content-type"], data)
    assert status == 202, got
    if isinstance(body, list):
        assert [r["call_id"] for r in got["results"]] == [e["call_id"] for e in body]
        assert sum(got["summary"].values()) == len(body)
    else:
        assert got["call_id"] == body["call_id"]


@SCHEMA_SETTINGS
@given(batch=st.lists(EVENTS, min_size=1, max_size=6), where=st.integers(0, 5), how=BREAKS)
def test_broken_events_are_refused_naming_the_field(live, conformance, batch, where, how):
    index = where % len(batch)
    broken = dict(batch[index])
    if how[0] == "drop":
        broken.pop(how[1], None)
    else:
        broken[how[1]] = how[2]
    batch[index] = broken
    status, headers, data = _post(live, batch)
    got = conformance.check("/v1/events", "POST", status, headers["content-type"], data)
    assert status == 422
    assert got["error"]["index"] == index
    assert got["error"]["field"].startswith(f"[{index}].{how[1]}")


def test_datetimes_round_trip_in_the_stored_payload(live):
    when = datetime(2026, 1, 31, 9, 15, tzinfo=UTC)
    body = {"call_id": "dt-1", "caller": "1", "started_at": when.isoformat()}
    status, _, _ = _post(live, body)
    stored = live.run(live.store.calls.get("1", "dt-1"))
    assert status == 202
    assert datetime.fromisoformat(json.loads(stored.payload)["started_at"]) == when
