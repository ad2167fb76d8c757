"""Typed events and the published schema agreeing with the server, case by case."""

import json

import pytest
from jsonschema import Draft202012Validator

from tests.intake_view import intake_fields
from webhook_ingest.openapi import document

DOC = document()
REQUEST = {
    **DOC["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"]["schema"],
    "components": DOC["components"],
}
SCHEMA = Draft202012Validator(REQUEST, format_checker=Draft202012Validator.FORMAT_CHECKER)
OK = {"call_id": "c1", "caller": "100"}


async def test_an_explicit_missed_type_is_the_default_and_not_stored(ingest):
    resp = await ingest.post({**OK, "type": "missed"})
    assert (resp.status, (await resp.json())["status"]) == (202, "accepted")
    stored = await ingest.store.calls.get(ingest.tenant.id, "c1")
    assert json.loads(stored.payload) == OK


@pytest.mark.parametrize(
    "event",
    [
        {"type": "answered", "call_id": "a1", "caller": "100", "answered_by": "101"},
        {"type": "outbound", "call_id": "o1", "callee": "200", "answered": False},
    ],
)
async def test_follow_up_events_are_accepted_once_and_not_recorded_as_calls(
    ingest, conformance, event
):
    resp = await ingest.post([OK, event])
    body = conformance.check("/v1/events", "POST", resp.status, resp.content_type,
                             await resp.read())  # fmt: skip
    assert resp.status == 202
    assert [(r["call_id"], r["status"]) for r in body["results"]] == [
        ("c1", "accepted"),
        (event["call_id"], "accepted"),
    ]
    again = await (await ingest.post(event)).json()
    assert again["status"] == "duplicate"
    assert await ingest.store.calls.get(ingest.tenant.id, event["call_id"]) is None
    entries = await intake_fields(ingest.store.redis, ingest.tenant.id)
    assert [e.get("call_id") for e in entries] == ["c1"]


async def test_an_unknown_type_is_422_naming_the_type(ingest):
    resp = await ingest.post([OK, {**OK, "call_id": "t", "type": "transfer"}])
    error = (await resp.json())["error"]
    assert resp.status == 422
    assert (error["field"], error["index"]) == ("[1].type", 1)
    assert error["message"] == "type must be one of: missed, answered, outbound"


# Bodies on the edge of the rules: the schema's verdict must be the server's.
EDGES = [
    {**OK, "extensions": ["\n"]},
    {**OK, "extensions": [" 101 "]},
    {**OK, "caller": "\x1c"},
    {**OK, "caller": " 7 "},
    {**OK, "caller": "\u3000"},
    {**OK, "call_id": "\t"},
    {**OK, "group": "sal es"},
    {**OK, "group": "sal\u00a0es"},
    {**OK, "group": "a:b"},
    {**OK, "group": "ok-group"},
    {**OK, "caller_name": "   "},
    {**OK, "type": "missed"},
    {**OK, "type": "answered"},
    {"type": "answered", "call_id": "x", "caller": "1", "answered_by": " "},
    {"type": "outbound", "call_id": "x", "callee": "\u2028", "answered": True},
    {"type": "outbound", "call_id": "x", "callee": "1", "answered": True},
    {**OK, "wait_seconds": 86_400},
    {**OK, "wait_seconds": 86_400.5},
    {**OK, "started_at": "2026-01-31T09:15:00"},
    {**OK, "started_at": "2026-01-31T09:15:00+03:00"},
]


@pytest.mark.parametrize("body", EDGES, ids=[json.dumps(b, ensure_ascii=True) for b in EDGES])
async def test_the_schema_and_the_server_agree(ingest, body):
    resp = await ingest.post({**body, "call_id": body["call_id"]})
    assert resp.status in (202, 422), await resp.text()
    assert SCHEMA.is_valid(body) == (resp.status == 202), await resp.text()


async def test_an_array_over_max_items_is_what_the_schema_says(ingest, conformance):
    batch = [{"call_id": f"b{i}", "caller": "1"} for i in range(1001)]
    assert not SCHEMA.is_valid(batch)
    resp = await ingest.post(batch)
    body = conformance.check("/v1/events", "POST", resp.status, resp.content_type,
                             await resp.read())  # fmt: skip
    assert (resp.status, body["error"]["code"]) == (422, "batch_too_large")
