"""Rostelecom VATS details the contract cannot see: the echo check, raw-body signing, and a
call judged from its sequence of events (out of order, retried, over two ingest processes)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer

from delivery.intake import Intake
from perezvon.metrics import Metrics
from store import keys
from store.events import AnsweredEvent, CallEvent, OutboundEvent
from tests.intake_view import intake_fields
from tests.webhook_ingest.connectors.conftest import Hook
from tests.webhook_ingest.connectors.signing import ROWS
from webhook_ingest.app import RUNNER_OPTIONS, build_app
from webhook_ingest.connectors import rostelecom
from webhook_ingest.connectors.base import HookRequest, Rejected

ROW = next(r for r in ROWS if r.vendor == "rostelecom")
OPTS = ROW.options


def _req(body: bytes, headers: dict[str, str]) -> HookRequest:
    return HookRequest("POST", "", "http://x/", headers, {}, (), body)


def _signed(body: bytes, client_id: str = OPTS["client_id"]) -> dict[str, str]:
    sign = rostelecom.signature(client_id, body, OPTS["client_key"])
    return {"X-Client-ID": client_id, "X-Client-Sign": sign}


def test_the_signature_is_over_the_raw_body_not_a_reserialisation():
    raw = b'{"session_id": "S1",   "type": "incoming", "state": "new"}'
    rostelecom.verify(_req(raw, _signed(raw)), OPTS)
    respaced = json.dumps(json.loads(raw)).encode()
    with pytest.raises(Rejected, match="bad X-Client-Sign"):
        rostelecom.verify(_req(respaced, _signed(raw)), OPTS)


def test_another_client_id_is_refused_even_with_its_own_valid_sign():
    raw = b'{"session_id": "S1"}'
    with pytest.raises(Rejected, match="wrong X-Client-ID"):
        rostelecom.verify(_req(raw, _signed(raw, client_id="someone-else")), OPTS)


async def test_the_echo_check_is_answered_with_its_header_and_records_nothing(ingest):
    c = await ingest.store.connectors.add(ingest.tenant.id, "rostelecom", OPTS)
    resp = await ingest.client.post(f"/v1/hooks/rostelecom/{c.id}", headers={"Echo": "e-42"})
    assert resp.status == 200 and resp.headers["Echo"] == "e-42"
    assert (await ingest.store.connectors.status(c)).last_rejected is None
    assert await ingest.store.calls.recent(ingest.tenant.id) == []


@pytest.mark.parametrize(
    ("record", "expect"),
    [
        ({"type": "incoming", "from": "74951234567", "to": "+74957654321", "group": "+7495765",
          "at_new": "100.0", "at_disconnected": "125.0"},
         (CallEvent, {"wait_seconds": 25.0, "group": "+7495765", "called": "+74957654321"})),
        # Folded before the group was kept in the record: the line names it.
        ({"type": "incoming", "from": "74951234567", "to": "+74957654321"},
         (CallEvent, {"group": "+74957654321"})),
        ({"type": "incoming", "from": "74951234567", "to_pin": "102", "connected": "1",
          "at_connected": "106.0", "at_disconnected": "200.0"},
         (AnsweredEvent, {"answered_by": "102", "talk_seconds": 94.0})),
        ({"type": "outbound", "to": "74951234567", "from_pin": "101"},
         (OutboundEvent, {"answered": False, "extension": "101", "talk_seconds": None})),
        ({"type": "incoming", "from_pin": "103"}, (CallEvent, {"caller": "103"})),
        ({"type": "internal", "from_pin": "101", "to_pin": "102"}, None),
        ({"type": "incoming"}, None),
        ({}, None),  # only the end was seen and it named nothing
    ],
)  # fmt: skip
def test_decide(record, expect):
    verdict = rostelecom.decide("rostelecom:S", record)
    if expect is None:
        assert verdict is None
        return
    kind, fields = expect
    assert isinstance(verdict, kind) and verdict.call_id == "rostelecom:S"
    assert {k: getattr(verdict, k) for k in fields} == fields


async def _post_all(hook: Hook, legs: list[dict]) -> list[dict]:
    results = []
    for leg in legs:
        resp = await hook.post(leg)
        assert resp.status == 200, await resp.text()
        results += (await resp.json())["results"]
    return results


@pytest.fixture
async def hook(ingest) -> Hook:
    c = await ingest.store.connectors.add(
        ingest.tenant.id, "rostelecom", OPTS, secret_names=rostelecom.VENDOR.secrets
    )
    return Hook(ingest, ROW, c)


async def test_connected_before_new_is_still_answered(hook):
    new, up, end = ROW.cases()["answered"]
    results = await _post_all(hook, [up, new, end])
    assert [r["status"] for r in results] == ["accepted"]
    assert not await hook.ingest.store.redis.exists(keys.call(hook.ingest.tenant.id,
                                                              results[0]["call_id"]))  # fmt: skip


async def test_every_leg_retried_in_any_order_yields_one_card(hook):
    new, end = ROW.cases()["missed"]
    results = await _post_all(hook, [end, new, end, new, end])
    assert [r["status"] for r in results] == ["accepted", "duplicate", "duplicate"]
    (call,) = await hook.ingest.store.calls.recent(hook.ingest.tenant.id)
    assert call.call_id == results[0]["call_id"]


async def test_a_connect_reported_after_the_end_does_not_turn_the_verdict(hook):
    # The verdict is taken at the end and kept: a late "connected" cannot unsend a card.
    new, up, end = ROW.cases()["answered"]
    first = await _post_all(hook, [new, end])
    later = await _post_all(hook, [up, end])
    assert [r["status"] for r in first + later] == ["accepted", "duplicate"]
    assert len(await hook.ingest.store.calls.recent(hook.ingest.tenant.id)) == 1


async def test_two_ingest_processes_share_one_record_per_call(hook):
    # The connect reaches one process, the end another: the call is answered, not missed.
    store = hook.ingest.store
    server = TestServer(build_app(store, Intake(store), Metrics(store.redis)))
    await server.start_server(**RUNNER_OPTIONS)
    first = hook.ingest
    second = type(first)(TestClient(server), store, first.metrics, first.tenant, first.key)
    other = Hook(second, ROW, hook.connector)
    try:
        new, up, end = ROW.cases()["answered"]
        assert await _post_all(hook, [new, up]) == []
        (result,) = await _post_all(other, [end])
    finally:
        await other.ingest.client.close()
    assert result["status"] == "accepted"
    assert await store.calls.recent(hook.ingest.tenant.id) == []


async def test_a_tampered_body_is_refused_and_folds_nothing(hook):
    new, end = ROW.cases()["missed"]
    signed = ROW.sign(end, OPTS, "")
    tampered = signed.body.replace(b"disconnected", b"connected")
    resp = await hook.ingest.client.post(hook.path, data=tampered,
        headers={**signed.headers, "Content-Type": "application/json"})  # fmt: skip
    assert resp.status == 401
    session = end["json"]["session_id"]
    assert not await hook.ingest.store.redis.exists(
        keys.pbx_call(hook.ingest.tenant.id, f"rostelecom:{session}")
    )
    assert [r["status"] for r in await _post_all(hook, [new, end])] == ["accepted"]


def test_the_fixture_digest_matches_the_documented_formula():
    # sha256_hex(client_id + raw body + client_key), as in the integration API docs.
    leg = ROW.cases()["missed"][0]
    signed = ROW.sign(leg, OPTS, "")
    expected = hashlib.sha256(
        (OPTS["client_id"] + signed.body.decode() + OPTS["client_key"]).encode()
    ).hexdigest()
    assert signed.headers["X-Client-Sign"] == expected


async def test_a_line_not_seen_before_becomes_a_group_announced_as_json_ingest_does(hook):
    store, tid = hook.ingest.store, hook.ingest.tenant.id
    await store.tenants.set_options(tid, new_groups=False)
    new, end = ROW.cases()["missed"]
    results = await _post_all(hook, [new, end])
    # Created off by the tenant's policy, announced to the admins, the call counted as ignored.
    assert [r["status"] for r in results] == ["ignored"]
    group = await store.groups.get(tid, "+74957654321")
    assert group.notify is False
    kinds = [f["kind"] for f in await intake_fields(store.redis, tid)]
    assert kinds == ["group_new"]
    await store.groups.set_notify(tid, "+74957654321", True)
    other = [{**leg, "json": {**leg["json"], "session_id": "S-2"}} for leg in (new, end)]
    assert [r["status"] for r in await _post_all(hook, other)] == ["accepted"]
    (call,) = await store.calls.recent(tid)
    assert call.group_id == "+74957654321"
    event = CallEvent.model_validate_json(call.payload)
    assert (event.caller, event.called, event.wait_seconds) == ("+74951234567", "+74957654321", 25)
    assert event.started_at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


async def test_a_number_too_long_for_an_event_is_refused_and_folds_nothing(hook):
    new, _ = ROW.cases()["missed"]
    leg = {**new, "json": {**new["json"], "from_number": "7" * 65}}
    resp = await hook.post(leg)
    assert resp.status == 422
    session = leg["json"]["session_id"]
    key = keys.pbx_call(hook.ingest.tenant.id, f"rostelecom:{session}")
    assert not await hook.ingest.store.redis.exists(key)


@pytest.mark.parametrize(
    ("raw", "expect"),
    [
        (1767261600, "1767261600.0"),
        (1767261600.1234567, "1767261600.123457"),
        ("1767261600", "1767261600.0"),
        ("2026-01-01T13:00:00+03:00", "1767261600.0"),
        ("2026-01-01T10:00:00", "1767261600.0"),  # no offset: taken as UTC
        (0, ""),
        (-5, ""),
        (True, ""),
        (1e20, ""),
        ("soon", ""),
        (None, ""),
    ],
)
def test_event_times(raw, expect):
    assert rostelecom._stamp(raw) == expect
