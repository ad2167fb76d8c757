"""Bitrix24 telephony (its own Voximplant/SIP connector): the ONVOXIMPLANTCALLEND REST event.

Authenticates: the form field `auth[application_token]` equals the token Bitrix24 showed when
the handler was bound (constant-time compare).
Options: application_token (secret).
Events: ONVOXIMPLANTCALLEND with CALL_TYPE 2/3 (inbound) and CALL_FAILED_CODE 304 -> missed;
inbound with 200 -> answered; CALL_TYPE 1 -> outbound (answered when 200); callbacks (4),
info calls (5) and any other event -> noise.
Id: data[CALL_ID]. Group: data[PORTAL_NUMBER] (the line).
Sources: bitrix24/b24restdocs: api-reference/telephony/voximplant/events/
on-voximplant-call-end.md, codes-and-types.md, _includes/auth-params-in-events.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from store.events import AnsweredEvent, CallEvent, OutboundEvent
from webhook_ingest.connectors.base import (
    HookRequest,
    Parsed,
    Vendor,
    call_id,
    group_id,
    number,
    seconds,
    token_field,
)

NAME = "bitrix24"
EVENT = "ONVOXIMPLANTCALLEND"
INBOUND, OUTBOUND = {"2", "3"}, "1"
MISSED, SUCCESS = "304", "200"


def verify(request: HookRequest, options: Mapping[str, str]) -> None:
    token_field(request, options, "application_token", "auth[application_token]")


def parse(request: HookRequest) -> Parsed:
    f = request.fields.get  # each key spelt out: no name is built per post
    raw_id, raw_phone = f("data[CALL_ID]", ""), f("data[PHONE_NUMBER]", "")
    if f("event", "").upper() != EVENT or not raw_id or not raw_phone:
        return Parsed()
    kind, code = f("data[CALL_TYPE]", ""), f("data[CALL_FAILED_CODE]", "")
    phone, user = number(raw_phone), f("data[PORTAL_USER_ID]") or None
    cid = call_id(NAME, raw_id)
    if kind in INBOUND and code == MISSED:
        line = f("data[PORTAL_NUMBER]", "")
        return Parsed((CallEvent(call_id=cid, caller=phone, called=line or None,
            group=group_id(line)),))  # fmt: skip
    if kind in INBOUND and code == SUCCESS:
        return Parsed((AnsweredEvent(type="answered", call_id=cid, caller=phone,
            answered_by=user, talk_seconds=seconds(f("data[CALL_DURATION]", ""))),))  # fmt: skip
    if kind == OUTBOUND:
        ok = code == SUCCESS
        talk = seconds(f("data[CALL_DURATION]", "")) if ok else None
        return Parsed((OutboundEvent(type="outbound", call_id=cid, callee=phone, extension=user,
            answered=ok, talk_seconds=talk),))  # fmt: skip
    return Parsed()


VENDOR = Vendor(
    name=NAME,
    title="Bitrix24",
    auth="auth[application_token] compared with the token saved at event.bind",
    options=("application_token",),
    secrets=("application_token",),
    required=("application_token",),
    events={
        "ONVOXIMPLANTCALLEND, CALL_TYPE 2/3, CALL_FAILED_CODE 304": "missed",
        "ONVOXIMPLANTCALLEND, CALL_TYPE 2/3, 200": "answered",
        "ONVOXIMPLANTCALLEND, CALL_TYPE 1": "outbound",
        "other events and call types": "nothing (noise)",
    },
    verify=verify,
    parse=parse,
)
