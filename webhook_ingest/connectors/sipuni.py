"""Sipuni: form/query notifications. event=2 (hangup) of an external caller (src_type=1) with
status NOANSWER/BUSY/CANCEL/CHANUNAVAIL -> missed, ANSWER -> answered; event=2 towards an
external number (dst_type=1) -> outbound; event 1 (call), 3 (answer), 4 (secondary hangup =
another leg) -> noise. Id call_id; recording call_record_link; group dst_num of the call.
Sources: salesplatform/salesplatform-vtigercrm: modules/SPVoipIntegration/sipuni/notifications/
SipuniEventType.php, SipuniNotifyHangUp.php, SipuniNotifyCall.php.
Authenticates: nothing is signed; the connector URL is the secret, allow_ip narrows it.
"""

from __future__ import annotations

from collections.abc import Callable

from store.events import AnsweredEvent, CallEvent, OutboundEvent
from webhook_ingest.connectors.base import (
    HookRequest,
    Parsed,
    Vendor,
    call_id,
    group_id,
    number,
    unsigned,
)

UNANSWERED = frozenset({"NOANSWER", "BUSY", "CANCEL", "CHANUNAVAIL", "CONGESTION"})
EXTERNAL = "1"


def _getter(request: HookRequest) -> Callable[[str], str]:
    return lambda name: request.field(name) or request.query.get(name, "")


def parse(request: HookRequest) -> Parsed:
    f = _getter(request)
    if f("event") != "2" or not f("call_id"):
        return Parsed()
    status = f("status").upper()
    common = {"call_id": call_id("sipuni", f("call_id")),
              "recording_url": f("call_record_link") or None}  # fmt: skip
    if f("src_type") == EXTERNAL and f("src_num"):
        caller = number(f("src_num"))
        if status in UNANSWERED:
            return Parsed((CallEvent(caller=caller, called=f("dst_num") or None,
                group=group_id(f("dst_num")), **common),))  # fmt: skip
        if status == "ANSWER":
            return Parsed((AnsweredEvent(type="answered", caller=caller,
                answered_by=number(f("short_dst_num")) or None, **common),))  # fmt: skip
        return Parsed()
    if f("dst_type") == EXTERNAL and f("dst_num"):
        return Parsed((OutboundEvent(type="outbound", callee=number(f("dst_num")),
            extension=number(f("short_src_num") or f("src_num")) or None,
            answered=status == "ANSWER", **common),))  # fmt: skip
    return Parsed()


VENDOR = Vendor(
    name="sipuni",
    title="Sipuni",
    auth="none sent by the vendor: secret URL, optional allow_ip",
    options=(),
    secrets=(),
    events={
        "event=2, external caller, NOANSWER/BUSY/CANCEL/CHANUNAVAIL": "missed",
        "event=2, external caller, ANSWER": "answered",
        "event=2, to an external number": "outbound",
        "event 1, 3, 4": "nothing (noise)",
    },
    verify=unsigned,
    parse=parse,
)
