"""UIS / CoMagic: notifications whose body the tenant pastes from our template (docs/connectors.md):
`perezvon_event` lost -> missed; finished with direction=out -> outbound, direction=in and
talk time > 0 -> answered (a lost call's own "finished" is noise). Id call_session_id; group
virtual_phone_number. Sources: salesplatform/.../uiscom/notifications/UIScomNotification.php;
UIS help "Уведомления о событиях".
Authenticates: nothing is signed; the connector URL is the secret, allow_ip narrows it.
"""

from __future__ import annotations

import json

from store.events import AnsweredEvent, CallEvent, OutboundEvent
from webhook_ingest.connectors.base import (
    HookRequest,
    Parsed,
    Vendor,
    call_id,
    group_id,
    number,
    seconds,
    unsigned,
)


def _uis_body(request: HookRequest) -> dict:
    if request.form:
        return dict(request.form)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def parse(request: HookRequest) -> Parsed:
    d = {k: str(v) for k, v in _uis_body(request).items()}
    event, sid = d.get("perezvon_event", ""), d.get("call_session_id", "")
    phone = number(d.get("contact_phone_number", ""))
    if not sid or not phone:
        return Parsed()
    cid = call_id("uis", sid)
    line = d.get("virtual_phone_number", "")
    if event == "lost":
        wait = seconds(d.get("wait_time_duration", ""))
        return Parsed((CallEvent(call_id=cid, caller=phone, called=line or None,
            group=group_id(line), wait_seconds=wait),))  # fmt: skip
    if event != "finished":
        return Parsed()
    talk = seconds(d.get("talk_time_duration", "")) or 0.0
    if d.get("direction") == "out":
        return Parsed((OutboundEvent(type="outbound", call_id=cid, callee=phone,
            extension=d.get("employee_id") or None, answered=talk > 0,
            talk_seconds=talk or None),))  # fmt: skip
    if d.get("direction") == "in" and talk > 0:
        return Parsed((AnsweredEvent(type="answered", call_id=cid, caller=phone,
            answered_by=d.get("employee_id") or None, talk_seconds=talk),))  # fmt: skip
    return Parsed()


UIS_TEMPLATES = {
    "Потерянный звонок": '{"perezvon_event": "lost", "call_session_id": "{{call_session_id}}", '
    '"contact_phone_number": "{{contact_phone_number}}", '
    '"virtual_phone_number": "{{virtual_phone_number}}", '
    '"wait_time_duration": "{{wait_time_duration}}"}',
    "Завершение звонка": '{"perezvon_event": "finished", "call_session_id": "{{call_session_id}}", '
    '"contact_phone_number": "{{contact_phone_number}}", "direction": "{{direction}}", '
    '"talk_time_duration": "{{talk_time_duration}}", "employee_id": "{{employee_id}}"}',
}


VENDOR = Vendor(
    name="uis",
    title="UIS / CoMagic",
    auth="none sent by the vendor: secret URL, optional allow_ip",
    options=(),
    secrets=(),
    events={
        "Потерянный звонок (perezvon_event=lost)": "missed",
        "Завершение звонка, direction=in, talk>0": "answered",
        "Завершение звонка, direction=out": "outbound",
        "other notifications": "nothing (noise)",
    },
    verify=unsigned,
    parse=parse,
)
