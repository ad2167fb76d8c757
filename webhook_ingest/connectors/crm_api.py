"""The operators' "API для CRM" (ITooLabs): MegaFon, Dom.ru, Gravitel, WestCall — one protocol.

Authenticates: the form field `crm_token` equals the tenant's key (constant-time compare).
Options: crm_token (secret).
Events: cmd=history type=in status missed/cancel -> missed; type=in other status -> answered;
type=out -> outbound (answered when status is success); cmd=event (realtime legs) -> noise;
cmd=contact ("who is calling?") is answered {"contact_name": ...} with the name a PBX gave that
number on an earlier call of the tenant, or {} when none did (the PBX then shows the number).
Id: callid. Group: groupRealName. Recording: link.
Sources: ITooLabs "REST API ВАТС (CRM)"; salesplatform/salesplatform-vtigercrm
(modules/SPVoipIntegration/gravitel/notifications/*, megafon/notifications/*; the contact
answer: GravitelContactNotification::process, `contact_name` only when the CRM knows one).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

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

MISSED = frozenset({"missed", "cancel"})
ALIASES = {"megafon": "MegaFon", "domru": "Dom.ru", "gravitel": "Gravitel", "westcall": "WestCall"}


def verify(request: HookRequest, options: Mapping[str, str]) -> None:
    token_field(request, options, "crm_token", "crm_token")


def _parser(name: str) -> Callable[[HookRequest], Parsed]:
    def parse(request: HookRequest) -> Parsed:
        cmd = request.field("cmd")
        if cmd == "contact":
            phone = number(request.field("phone"))
            return Parsed(reply="{}", reply_type="application/json", contact=phone or None)
        raw_id, phone = request.field("callid"), number(request.field("phone"))
        if cmd != "history" or not raw_id or not phone:
            return Parsed()
        status = request.field("status").strip().lower()
        kind = request.field("type").strip().lower()
        employee = number(request.field("ext") or request.field("telnum") or "") or None
        common = {"call_id": call_id(name, raw_id), "recording_url": request.field("link") or None}
        talk = seconds(request.field("duration"))
        if kind == "in" and status in MISSED:
            group = request.field("groupRealName")
            return Parsed((CallEvent(caller=phone, called=request.field("diversion") or None,
                group=group_id(group), group_name=group or None,
                extensions=[employee] if employee else [], **common),))  # fmt: skip
        if kind == "in":
            return Parsed((AnsweredEvent(type="answered", caller=phone, answered_by=employee,
                talk_seconds=talk, **common),))  # fmt: skip
        if kind == "out":
            ok = status == "success"
            return Parsed((OutboundEvent(type="outbound", callee=phone, extension=employee,
                answered=ok, talk_seconds=talk if ok else None, **common),))  # fmt: skip
        return Parsed()

    return parse


def contact_reply(name: str | None) -> str:
    """The answer to cmd=contact: the caller's name when known, else an empty object."""
    return json.dumps({"contact_name": name} if name else {}, ensure_ascii=False)


def vendor(name: str) -> Vendor:
    return Vendor(
        name=name,
        title=f"{ALIASES[name]} (API для CRM)",
        auth="crm_token form field compared with the tenant's key",
        options=("crm_token",),
        secrets=("crm_token",),
        required=("crm_token",),
        events={
            "history, type=in, status missed/cancel": "missed",
            "history, type=in, other status": "answered",
            "history, type=out": "outbound",
            "event (realtime legs)": "nothing (noise)",
            "contact": "answered with the caller's known name, else {}",
        },
        verify=verify,
        parse=_parser(name),
        contact_reply=contact_reply,
    )


VENDORS = tuple(vendor(name) for name in ALIASES)
