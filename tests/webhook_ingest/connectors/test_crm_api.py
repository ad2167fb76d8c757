"""cmd=contact of the operators' "API для CRM": the caller's name, when a PBX gave one before."""

from __future__ import annotations

import json

import pytest

from webhook_ingest.connectors import REGISTRY
from webhook_ingest.connectors.base import HookRequest
from webhook_ingest.connectors.crm_api import ALIASES, contact_reply

TOKEN = "crm-token-7c1e"
KNOWN = "74951234567"
NAME = "Иван Петров"


def _form(**fields: str) -> dict[str, str]:
    return {"cmd": "contact", "crm_token": TOKEN, "callid": "d0d0-1", "user": "manager1", **fields}


# (case, form, status, answer): a new case is a new row.
CASES = [
    ("known name", _form(phone=KNOWN), 200, {"contact_name": NAME}),
    ("known, in another form", _form(phone="+7 (495) 123-45-67"), 200, {"contact_name": NAME}),
    ("unknown number", _form(phone="74957654321"), 200, {}),
    ("no number", _form(), 200, {}),
    ("wrong token", _form(phone=KNOWN, crm_token=TOKEN + "x"), 401, None),
    ("no token", {k: v for k, v in _form(phone=KNOWN).items() if k != "crm_token"}, 401, None),
]


@pytest.mark.parametrize("vendor", list(ALIASES))
@pytest.mark.parametrize(("case", "form", "status", "answer"), CASES, ids=[c[0] for c in CASES])
async def test_contact_answers_the_name_a_pbx_gave_before(
    ingest, vendor, case, form, status, answer
):
    # An earlier missed call of the tenant, from its Asterisk over JSON ingest, named the caller.
    earlier = {"call_id": "ami:1.1", "caller": "+74951234567", "caller_name": NAME}
    assert (await ingest.post(earlier)).status == 202
    c = await ingest.store.connectors.add(
        ingest.tenant.id, vendor, {"crm_token": TOKEN}, secret_names=REGISTRY[vendor].secrets
    )
    resp = await ingest.client.post(f"/v1/hooks/{vendor}/{c.id}", data=form)
    assert resp.status == status, case
    if answer is None:
        assert (await resp.json())["error"]["code"] == "bad_signature"
        assert NAME not in await resp.text()
        return
    assert resp.content_type == "application/json"
    assert json.loads(await resp.text()) == answer
    # A query records nothing: the only call is the earlier one.
    assert [x.call_id for x in await ingest.store.calls.recent(ingest.tenant.id)] == ["ami:1.1"]


async def test_a_name_of_another_tenant_is_not_answered(ingest):
    _, other_key = await ingest.store.tenants.create("Other", "Europe/Moscow", "ru")
    body = {"call_id": "x:1", "caller": "+74951234567", "caller_name": NAME}
    assert (await ingest.post(body, headers=ingest.auth(other_key))).status == 202
    c = await ingest.store.connectors.add(
        ingest.tenant.id, "megafon", {"crm_token": TOKEN}, secret_names=("crm_token",)
    )
    resp = await ingest.client.post(f"/v1/hooks/megafon/{c.id}", data=_form(phone=KNOWN))
    assert resp.status == 200 and json.loads(await resp.text()) == {}


def test_contact_parse_names_the_number_asked_and_does_no_io():
    req = HookRequest("POST", "", "http://x/", {}, {}, (("cmd", "contact"), ("phone", KNOWN)), b"")
    parsed = REGISTRY["megafon"].parse(req)
    assert parsed.contact == KNOWN and parsed.verdicts == () and parsed.steps == ()
    assert parsed.reply_type == "application/json"


@pytest.mark.parametrize(
    ("name", "body"),
    [(NAME, '{"contact_name": "Иван Петров"}'), (None, "{}"), ("", "{}")],
)
def test_contact_reply(name, body):
    assert contact_reply(name) == body
