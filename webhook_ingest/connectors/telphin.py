"""Telphin: EventType dial-in/dial-out/answer/hangup. hangup with CallFlow=in (or absent) and
CallStatus NOANSWER/BUSY/CANCEL -> missed, ANSWER -> answered; CallFlow=out -> outbound; the
rest -> noise. Id CallID (else SubCallID). Sources: salesplatform/salesplatform-vtigercrm:
modules/SPVoipIntegration/telphin/notifications/*.php.
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
    seconds,
    unsigned,
)

UNANSWERED = frozenset({"NOANSWER", "BUSY", "CANCEL", "CHANUNAVAIL", "CONGESTION"})


def _getter(request: HookRequest) -> Callable[[str], str]:
    return lambda name: request.field(name) or request.query.get(name, "")


def parse(request: HookRequest) -> Parsed:
    f = _getter(request)
    raw_id = f("CallID") or f("SubCallID")
    if f("EventType") != "hangup" or not raw_id:
        return Parsed()
    status, flow = f("CallStatus").upper(), f("CallFlow").lower() or "in"
    cid = call_id("telphin", raw_id)
    # Telphin counts in microseconds.
    talk = seconds(str(float(f("Duration")) / 1e6)) if f("Duration").isdigit() else None
    if flow == "in" and f("CallerIDNum"):
        caller = number(f("CallerIDNum"))
        if status in UNANSWERED:
            return Parsed((CallEvent(call_id=cid, caller=caller,
                called=f("CalledNumber") or None, group=group_id(f("CalledNumber"))),))  # fmt: skip
        if status == "ANSWER":
            return Parsed((AnsweredEvent(type="answered", call_id=cid, caller=caller,
                answered_by=number(f("CalledExtension")) or None, talk_seconds=talk),))  # fmt: skip
        return Parsed()
    if flow == "out" and f("CalledNumber"):
        ok = status == "ANSWER"
        return Parsed((OutboundEvent(type="outbound", call_id=cid, callee=number(f("CalledNumber")),
            extension=number(f("CallerExtension") or "") or None, answered=ok,
            talk_seconds=talk if ok else None),))  # fmt: skip
    return Parsed()


VENDOR = Vendor(
    name="telphin",
    title="Telphin",
    auth="none sent by the vendor: secret URL, optional allow_ip",
    options=(),
    secrets=(),
    events={
        "hangup, in, NOANSWER/BUSY/CANCEL": "missed",
        "hangup, in, ANSWER": "answered",
        "hangup, out": "outbound",
        "dial-in, dial-out, answer": "nothing (noise)",
    },
    verify=unsigned,
    parse=parse,
)
