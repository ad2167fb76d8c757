"""POST /v1/events over HTTP: statuses, error codes, batches, idempotency (fakeredis and Redis)."""

import json

import pytest

from tests.intake_view import intake_fields

EVENT = {"call_id": "c-1", "caller": "+74950000000"}


async def _stream(store) -> list[str]:
    return [f.get("call_id", f.get("group")) for f in await intake_fields(store.redis)]


async def test_single_event_is_accepted_then_duplicate(ingest, conformance):
    first = await ingest.post(EVENT)
    body = conformance.check("/v1/events", "POST", first.status, first.content_type,
                             await first.read())  # fmt: skip
    assert (first.status, body) == (202, {"call_id": "c-1", "status": "accepted"})
    again = await ingest.post(EVENT)
    assert (again.status, await again.json()) == (202, {"call_id": "c-1", "status": "duplicate"})
    assert await _stream(ingest.store) == ["c-1"]
    stored = await ingest.store.calls.get(ingest.tenant.id, "c-1")
    assert json.loads(stored.payload) == EVENT


async def test_group_with_flag_off_is_ignored_with_reason(ingest):
    await ingest.store.tenants.set_options(ingest.tenant.id, new_groups=False)
    resp = await ingest.post({"call_id": "s-1", "caller": "100", "group": "sales"})
    body = await resp.json()
    assert resp.status == 202 and body["status"] == "ignored"
    assert "sales" in body["reason"] and "off" in body["reason"]
    assert await ingest.store.calls.get(ingest.tenant.id, "s-1") is None


async def test_flag_switched_on_applies_to_the_very_next_event(ingest):
    await ingest.store.tenants.set_options(ingest.tenant.id, new_groups=False)
    await ingest.post({"call_id": "1", "caller": "100", "group": "sales"})
    await ingest.store.groups.set_notify(ingest.tenant.id, "sales", True)
    resp = await ingest.post({"call_id": "2", "caller": "100", "group": "sales"})
    assert (await resp.json())["status"] == "accepted"
    await ingest.store.groups.set_notify(ingest.tenant.id, "sales", False)
    resp = await ingest.post({"call_id": "3", "caller": "100", "group": "sales"})
    assert (await resp.json())["status"] == "ignored"


async def test_batch_answers_per_item_in_order_with_summary(ingest, conformance):
    await ingest.store.tenants.set_options(ingest.tenant.id, new_groups=False)
    await ingest.post({"call_id": "old", "caller": "1"})
    batch = [
        {"call_id": "a", "caller": "1"},
        {"call_id": "old", "caller": "1"},
        {"call_id": "q", "caller": "1", "group": "queue-7", "group_name": "Queue 7"},
        {"call_id": "a", "caller": "1"},
    ]
    resp = await ingest.post(batch)
    body = conformance.check("/v1/events", "POST", resp.status, resp.content_type,
                             await resp.read())  # fmt: skip
    assert resp.status == 202
    assert [(r["index"], r["call_id"], r["status"]) for r in body["results"]] == [
        (0, "a", "accepted"),
        (1, "old", "duplicate"),
        (2, "q", "ignored"),
        (3, "a", "duplicate"),
    ]
    assert body["summary"] == {"accepted": 1, "duplicate": 2, "ignored": 1}
    assert (await ingest.store.groups.get(ingest.tenant.id, "queue-7")).name == "Queue 7"


async def test_one_bad_item_refuses_the_whole_batch(ingest, conformance):
    batch = [{"call_id": f"b{i}", "caller": "1"} for i in range(5)]
    batch[3] = {"call_id": "b3", "caller": ""}
    resp = await ingest.post(batch)
    body = conformance.check("/v1/events", "POST", resp.status, resp.content_type,
                             await resp.read())  # fmt: skip
    assert resp.status == 422
    assert body["error"]["code"] == "invalid_event"
    assert body["error"]["field"] == "[3].caller" and body["error"]["index"] == 3
    assert await _stream(ingest.store) == []


async def test_batch_of_1000_is_accepted_and_1001_refused(ingest):
    batch = [{"call_id": f"n{i}", "caller": "1"} for i in range(1001)]
    too_many = await ingest.post(batch)
    assert too_many.status == 422
    assert (await too_many.json())["error"]["code"] == "batch_too_large"
    ok = await ingest.post(batch[:1000])
    assert ok.status == 202 and (await ok.json())["summary"]["accepted"] == 1000
    assert len(await _stream(ingest.store)) == 1000


# Bad input, one row per case: (body bytes, content type, status, code, field).
BAD_BODIES = [
    (b"{not json", "application/json", 400, "invalid_json", None),
    (b"", "application/json", 400, "invalid_json", None),
    (b'"text"', "application/json", 400, "invalid_body", None),
    (b"42", "application/json", 400, "invalid_body", None),
    (b"[]", "application/json", 400, "empty_batch", None),
    (b"[1]", "application/json", 422, "invalid_event", "[0]"),
    (b'{"caller": "1"}', "application/json", 422, "invalid_event", "call_id"),
    (b'{"call_id": "x", "caller": 5}', "application/json", 422, "invalid_event", "caller"),
    (b'{"call_id": "x", "caller": "1", "colour": 1}', "application/json", 422,
     "invalid_event", "colour"),
    (b'{"call_id": "x", "caller": "1", "group": "a b"}', "application/json", 422,
     "invalid_event", "group"),
    (b'{"call_id": "x", "caller": "1", "group": "a:b"}', "application/json", 422,
     "invalid_event", "group"),
    (b'{"call_id": "x", "caller": "1", "started_at": "2026-01-31T09:15:00"}',
     "application/json", 422, "invalid_event", "started_at"),
    (b'{"call_id": "x", "caller": "1", "wait_seconds": -1}', "application/json", 422,
     "invalid_event", "wait_seconds"),
    (b'{"call_id": "x", "caller": "1", "wait_seconds": 1e999}', "application/json", 422,
     "invalid_event", "wait_seconds"),
    (b'[{"call_id": "x", "caller": "1", "extensions": ["1", 2]}]', "application/json", 422,
     "invalid_event", "[0].extensions[1]"),
    (b'{"call_id": "\\ud800", "caller": "1"}', "application/json", 400, "invalid_json", None),
    (b"\xff\xfe", "application/json", 400, "invalid_json", None),
    (b'{"call_id": "x", "caller": "1"}', "text/plain", 415, "unsupported_media_type", None),
    (b'{"call_id": "x", "caller": "1"}', "application/x-www-form-urlencoded", 415,
     "unsupported_media_type", None),
    (b'{"call_id": "x", "caller": "1"}', "application/json; charset=latin-1", 415,
     "unsupported_media_type", None),
]  # fmt: skip


@pytest.mark.parametrize(("body", "ctype", "status", "code", "field"), BAD_BODIES)
async def test_bad_input_names_code_and_field(ingest, conformance, body, ctype, status, code,
                                              field):  # fmt: skip
    resp = await ingest.client.post(
        "/v1/events", data=body, headers={**ingest.auth(), "Content-Type": ctype}
    )
    got = conformance.check("/v1/events", "POST", resp.status, resp.content_type,
                            await resp.read())  # fmt: skip
    assert resp.status == status
    assert got["error"]["code"] == code
    assert got["error"].get("field") == field
    assert got["error"]["request_id"] == resp.headers["X-Request-Id"]


async def test_charset_utf8_and_bom_are_fine(ingest):
    resp = await ingest.client.post(
        "/v1/events",
        data=b"\xef\xbb\xbf" + json.dumps(EVENT).encode(),
        headers={**ingest.auth(), "Content-Type": "application/json; charset=UTF-8"},
    )
    assert resp.status == 202


async def test_oversized_body_is_refused_by_content_length(ingest):
    big = b'{"call_id": "x", "caller": "' + b"1" * (1 << 20) + b'"}'
    resp = await ingest.client.post(
        "/v1/events", data=big, headers={**ingest.auth(), "Content-Type": "application/json"}
    )
    assert resp.status == 413
    assert (await resp.json())["error"]["code"] == "body_too_large"


async def test_oversized_chunked_body_is_refused_while_reading(ingest):
    sent = 0

    async def chunks():
        nonlocal sent
        while sent < 4 << 20:
            sent += 64 * 1024
            yield b" " * (64 * 1024)

    resp = await ingest.client.post(
        "/v1/events", data=chunks(), headers={**ingest.auth(), "Content-Type": "application/json"}
    )
    assert resp.status == 413
    assert (await resp.json())["error"]["code"] == "body_too_large"


async def test_small_chunked_body_is_read(ingest):
    async def chunks():
        yield json.dumps(EVENT)[:10].encode()
        yield json.dumps(EVENT)[10:].encode()

    resp = await ingest.client.post(
        "/v1/events", data=chunks(), headers={**ingest.auth(), "Content-Type": "application/json"}
    )
    assert resp.status == 202


async def test_request_id_is_echoed_or_made_up(ingest):
    given = await ingest.post(EVENT, headers={"X-Request-Id": "pbx-42.a:b"})
    assert given.headers["X-Request-Id"] == "pbx-42.a:b"
    unsafe = await ingest.post(EVENT, headers={"X-Request-Id": "a b<script>"})
    assert unsafe.headers["X-Request-Id"] != "a b<script>"
    assert len(unsafe.headers["X-Request-Id"]) == 32


async def test_unknown_paths_and_methods_answer_json(ingest, conformance):
    missing = await ingest.client.get("/nope")
    body = conformance.check("/nope", "GET", missing.status, missing.content_type,
                             await missing.read())  # fmt: skip
    assert (missing.status, body["error"]["code"]) == (404, "not_found")
    wrong = await ingest.client.get("/v1/events")
    body = conformance.check("/v1/events", "GET", wrong.status, wrong.content_type,
                             await wrong.read())  # fmt: skip
    assert (wrong.status, body["error"]["code"]) == (405, "method_not_allowed")
    assert "POST" in wrong.headers["Allow"]
    assert "X-Request-Id" in wrong.headers


async def test_same_call_id_in_two_tenants_is_two_calls(ingest):
    _, other_key = await ingest.store.tenants.create("Other", "UTC", "en")
    one = await ingest.post(EVENT)
    two = await ingest.post(EVENT, headers=ingest.auth(other_key))
    assert [(await r.json())["status"] for r in (one, two)] == ["accepted", "accepted"]
