"""webhook_ingest/connectors/bitrix24.py: the edges of ONVOXIMPLANTCALLEND the contract skips."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from store.events import AnsweredEvent, CallEvent, OutboundEvent
from webhook_ingest.connectors import base, bitrix24
from webhook_ingest.connectors.base import HookRequest, Rejected
from webhook_ingest.hooks import form_pairs

TOKEN = "b24-token-4e8c"
MISSED = {
    "event": "ONVOXIMPLANTCALLEND",
    "data[CALL_ID]": "externalCall.1",
    "data[CALL_TYPE]": "2",
    "data[PHONE_NUMBER]": "+74951234567",
    "data[PORTAL_NUMBER]": "reg74957654321",
    "data[PORTAL_USER_ID]": "5",
    "data[CALL_DURATION]": "0",
    "data[CALL_FAILED_CODE]": "304",
    "auth[application_token]": TOKEN,
}


def _req(form) -> HookRequest:
    pairs = tuple(form.items()) if isinstance(form, dict) else tuple(form)
    return HookRequest("POST", "", "http://x/", {}, {}, pairs, b"")


def _one(form):
    (verdict,) = bitrix24.parse(_req(form)).verdicts
    return verdict


# (change to the missed call's form, what it becomes: a verdict type with fields, or None)
CASES = [
    ({}, (CallEvent, {"caller": "+74951234567", "group": "reg74957654321"})),
    ({"event": "onVoximplantCallEnd"}, (CallEvent, {})),  # event names are case-insensitive
    ({"data[CALL_TYPE]": "3"}, (CallEvent, {})),  # inbound redirected
    ({"data[PORTAL_NUMBER]": ""}, (CallEvent, {"group": None, "called": None})),
    ({"data[PHONE_NUMBER]": "sip:+74951234567@pbx"}, (CallEvent, {"caller": "+74951234567"})),
    (
        {"data[CALL_FAILED_CODE]": "200", "data[CALL_DURATION]": "42"},
        (AnsweredEvent, {"answered_by": "5", "talk_seconds": 42.0}),
    ),
    (
        {"data[CALL_FAILED_CODE]": "200", "data[CALL_DURATION]": "n/a"},
        (AnsweredEvent, {"talk_seconds": None}),
    ),
    (
        {"data[CALL_FAILED_CODE]": "200", "data[PORTAL_USER_ID]": ""},
        (AnsweredEvent, {"answered_by": None}),
    ),
    (
        {"data[CALL_TYPE]": "1", "data[CALL_FAILED_CODE]": "200", "data[CALL_DURATION]": "7"},
        (OutboundEvent, {"answered": True, "talk_seconds": 7.0, "extension": "5"}),
    ),
    (
        {"data[CALL_TYPE]": "1", "data[CALL_FAILED_CODE]": "486", "data[CALL_DURATION]": "7"},
        (OutboundEvent, {"answered": False, "talk_seconds": None}),
    ),
    ({"data[CALL_TYPE]": "4"}, None),  # callback
    ({"data[CALL_TYPE]": "5"}, None),  # info call
    ({"data[CALL_FAILED_CODE]": "603"}, None),  # inbound, neither missed nor answered
    ({"data[CALL_ID]": ""}, None),
    ({"data[PHONE_NUMBER]": ""}, None),
    ({"event": "ONVOXIMPLANTCALLINIT"}, None),
    ({"event": ""}, None),
]


@pytest.mark.parametrize(("change", "expect"), CASES)
def test_parse_table(change, expect):
    form = {k: v for k, v in {**MISSED, **change}.items()}
    parsed = bitrix24.parse(_req(form))
    if expect is None:
        assert parsed.verdicts == ()
        return
    kind, fields = expect
    (verdict,) = parsed.verdicts
    assert type(verdict) is kind and verdict.call_id == "bitrix24:externalCall.1"
    for name, value in fields.items():
        assert getattr(verdict, name) == value, name


def test_a_field_missing_from_the_form_is_noise():
    for name in ("event", "data[CALL_ID]", "data[PHONE_NUMBER]"):
        form = {k: v for k, v in MISSED.items() if k != name}
        assert bitrix24.parse(_req(form)).verdicts == ()


def test_a_repeated_field_the_first_wins_in_parse_and_verify():
    form = [("data[CALL_ID]", "first"), *MISSED.items(), ("data[CALL_ID]", "last")]
    assert _one(form).call_id == "bitrix24:first"
    wrong_first = [("auth[application_token]", "wrong"), *MISSED.items()]
    with pytest.raises(Rejected, match="wrong application_token"):
        bitrix24.verify(_req(wrong_first), {"application_token": TOKEN})


@pytest.mark.parametrize("safe", ["", "[]"])
def test_a_posted_body_reads_the_same_with_brackets_encoded_or_not(safe):
    # Bitrix24 sends `data%5BCALL_ID%5D`; a proxy may pass the brackets as they are.
    body = urlencode(MISSED, safe=safe).encode()
    assert (b"%5B" in body) == (safe == "")
    verdict = _one(form_pairs(body))
    assert verdict.caller == "+74951234567" and verdict.call_id == "bitrix24:externalCall.1"


def test_verify_accepts_the_token_and_refuses_the_rest():
    options = {"application_token": TOKEN}
    bitrix24.verify(_req(MISSED), options)
    missing = {k: v for k, v in MISSED.items() if k != "auth[application_token]"}
    with pytest.raises(Rejected, match=r"^missing auth\[application_token\]$") as exc:
        bitrix24.verify(_req(missing), options)
    assert exc.value.status == 401
    for wrong in (TOKEN + "x", TOKEN[:-1], TOKEN.upper(), " " + TOKEN):
        with pytest.raises(Rejected, match=r"^wrong application_token$"):
            bitrix24.verify(_req({**MISSED, "auth[application_token]": wrong}), options)
    with pytest.raises(Rejected, match="no application_token configured") as exc:
        bitrix24.verify(_req(MISSED), {})
    assert exc.value.status == 403


def test_the_token_is_compared_in_constant_time(monkeypatch):
    seen = []

    def compare(a, b):
        seen.append((a, b))
        return a == b

    monkeypatch.setattr(base.hmac, "compare_digest", compare)
    bitrix24.verify(_req(MISSED), {"application_token": TOKEN})
    assert seen == [(TOKEN.encode(), TOKEN.encode())]


async def test_over_http_raw_brackets_are_accepted_and_a_repeated_token_is_refused(ingest):
    c = await ingest.store.connectors.add(
        ingest.tenant.id, "bitrix24", {"application_token": TOKEN},
        secret_names=bitrix24.VENDOR.secrets,
    )  # fmt: skip
    path = f"/v1/hooks/bitrix24/{c.id}"
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    body = urlencode(MISSED, safe="[]")
    resp = await ingest.client.post(path, data=body, headers=form)
    assert resp.status == 200, await resp.text()
    (result,) = (await resp.json())["results"]
    assert result == {"call_id": "bitrix24:externalCall.1", "status": "accepted"}
    again = urlencode([("auth[application_token]", "forged"), *MISSED.items()])
    resp = await ingest.client.post(path, data=again, headers=form)
    assert resp.status == 401
    assert (await resp.json())["error"]["message"] == "wrong application_token"
    assert len(await ingest.store.calls.recent(ingest.tenant.id)) == 1
