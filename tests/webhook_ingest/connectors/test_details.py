"""Per-vendor details the contract cannot see: checks, replies, fields, raw-body signing."""

from __future__ import annotations

import hashlib
import json
import logging

from tests.webhook_ingest.connectors.signing import ROWS
from webhook_ingest.connectors import REGISTRY, mango
from webhook_ingest.connectors.base import HookRequest, Rejected


def _req(form=(), *, sub_path="", method="POST", query=None, headers=None) -> HookRequest:
    return HookRequest(method, sub_path, "http://x/", headers or {}, query or {}, tuple(form), b"")


def test_zadarma_echo_check_is_answered_and_needs_no_signature():
    req = _req(method="GET", query={"zd_echo": "abc123"})
    REGISTRY["zadarma"].verify(req, {"secret": "s"})
    parsed = REGISTRY["zadarma"].parse(req)
    assert parsed.reply == "abc123" and parsed.verdicts == ()


async def test_zadarma_echo_over_http(ingest):
    c = await ingest.store.connectors.add(ingest.tenant.id, "novofon", {"secret": "s"})
    resp = await ingest.client.get(f"/v1/hooks/novofon/{c.id}?zd_echo=Zx9")
    assert resp.status == 200 and await resp.text() == "Zx9"
    status = await ingest.store.connectors.status(c)
    assert status.last_event == "check" and status.last_rejected is None


def test_mango_signs_the_raw_json_string_not_a_reserialisation():
    key, salt = "k", "s"
    raw = '{"entry_id":"E1",  "call_direction":1}'  # odd spacing, as sent
    sign = hashlib.sha256((key + raw + salt).encode()).hexdigest()
    form = [("vpbx_api_key", key), ("sign", sign), ("json", raw)]
    mango.verify(_req(form), {"api_key": key, "api_salt": salt})
    respaced = [("vpbx_api_key", key), ("sign", sign), ("json", json.dumps(json.loads(raw)))]
    try:
        mango.verify(_req(respaced), {"api_key": key, "api_salt": salt})
    except Rejected as exc:
        assert exc.reason == "bad sign"
    else:
        raise AssertionError("a re-serialised json must not verify")


def _verdict(vendor: str, kind: str):
    row = next(r for r in ROWS if r.vendor == vendor)
    legs = row.cases()[kind]
    found = []
    for leg in legs:
        signed = row.sign(leg, row.options, "http://x/")
        req = _req(signed.form.items(), sub_path=signed.sub_path, headers=signed.headers)
        found += REGISTRY[vendor].parse(req).verdicts
    (verdict,) = found
    return verdict


def test_fields_of_each_verdict():
    missed = _verdict("mango", "missed")
    assert (missed.caller, missed.group, missed.called) == ("74951234567", "500", "74957654321")
    assert missed.wait_seconds == 25
    answered = _verdict("mango", "answered")
    assert answered.answered_by == "102" and answered.talk_seconds == 94
    out = _verdict("zadarma", "outbound")
    assert (out.callee, out.extension, out.answered, out.talk_seconds) == (
        "74951234567", "100", True, 42.0)  # fmt: skip
    crm = _verdict("megafon", "answered")
    assert crm.recording_url == "https://records.example.megapbx.ru/a71c2d10.mp3"
    tw = _verdict("twilio", "answered")
    assert tw.recording_url.endswith("/Recordings/RE0123") and tw.talk_seconds == 95
    assert _verdict("megafon", "missed").group_name == "Sales"


async def test_no_secret_reaches_the_logs(signed_hook, caplog):
    hook = signed_hook
    caplog.set_level(logging.DEBUG)
    wrong = {k: v + "x" for k, v in hook.row.options.items()}
    for leg in hook.row.cases()["missed"]:
        await hook.post(leg)
        await hook.post(leg, options=wrong)
    text = caplog.text + repr(hook.connector)
    for secret in [*hook.row.options.values(), *wrong.values()]:
        assert secret not in text
    assert hook.connector.id not in caplog.text
    assert "connector" in caplog.text  # the rejections were logged, only without secrets


async def test_a_signed_event_that_cannot_be_read_is_422_and_noted(ingest):
    opts = {"api_key": "k", "api_salt": "s"}
    c = await ingest.store.connectors.add(ingest.tenant.id, "mango", opts)
    raw = json.dumps({"entry_id": "E9", "call_direction": 1, "from": {"number": "7" * 100}})
    sign = hashlib.sha256(("k" + raw + "s").encode()).hexdigest()
    form = {"vpbx_api_key": "k", "sign": sign, "json": raw}
    resp = await ingest.client.post(f"/v1/hooks/mango/{c.id}/events/summary", data=form)
    assert resp.status == 422 and (await resp.json())["error"]["code"] == "unreadable_event"
    assert await ingest.store.calls.recent(ingest.tenant.id) == []
    assert (await ingest.store.connectors.status(c)).last_rejected.startswith("unreadable")
