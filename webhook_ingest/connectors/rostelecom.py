"""Rostelecom VATS ("Облачная АТС", integration API): call events posted as JSON, one per state.

Authenticates: header `X-Client-ID` must be the tenant's client id and `X-Client-Sign` =
sha256_hex(client_id + raw body + client_key) over the body exactly as received. A request with
an `Echo` header (the cabinet's address check) is answered with the same header, nothing kept.
Options: client_id, client_key (both secret).
Events: `call_events` with `session_id`, `type` incoming/outbound/internal and `state`
new/connected/disconnected. No event says "missed": the call's events are folded into one
record per session (store/pbx_calls.py) and judged at `disconnected`: incoming never connected
-> missed (by MISSED, which the fold script itself applies), incoming connected -> answered,
outbound -> outbound; internal calls are noise.
Id: session_id. Group: request_number (the number the caller dialled).
Sources: https://numbers.cloudpbx.rt.ru/docs/ (integration API, administrator's guide);
salesplatform/salesplatform-vtigercrm: modules/SPVoipIntegration/rostelecom/notifications/*.php.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from store.events import MAX_NUMBER, AnsweredEvent, OutboundEvent
from store.pbx_calls import MissedRule, Step
from webhook_ingest.connectors.base import (
    HookRequest,
    Parsed,
    Rejected,
    Vendor,
    Verdict,
    call_id,
    group_id,
    need,
    number,
    same,
)

NAME = "rostelecom"
ECHO = "Echo"
MAX_ECHO = 256
DIRECTIONS = frozenset({"incoming", "outbound", "internal"})
STATES = ("new", "connected", "disconnected")
NUMBERS = ("from", "from_pin", "to", "to_pin")
# Times past this are no date a call has (and past what the event schema can hold).
LATEST = 253_402_300_799.0
# An incoming call that ended never connected; the caller is its number, else its extension.
MISSED = MissedRule(kind=("type", "incoming"), unless="connected", caller=("from", "from_pin"),
    called="to", group="group", started="at_new", ended="at_disconnected")  # fmt: skip


def signature(client_id: str, body: bytes, client_key: str) -> str:
    """What Rostelecom puts in `X-Client-Sign` for this body."""
    return hashlib.sha256(client_id.encode() + body + client_key.encode()).hexdigest()


def verify(request: HookRequest, options: Mapping[str, str]) -> None:
    if request.header(ECHO):
        return  # the address check: answered with its own header, nothing recorded
    client_id, key = need(options, "client_id"), need(options, "client_key")
    given = request.header("X-Client-Sign")
    if not given:
        raise Rejected("missing X-Client-Sign")
    if not same(request.header("X-Client-ID"), client_id):
        raise Rejected("wrong X-Client-ID")
    if not same(given.lower(), signature(client_id, request.body, key)):
        raise Rejected("bad X-Client-Sign")


def _stamp(raw: object) -> str:
    """The event's time as epoch seconds text, to the microsecond ("" when absent or unreadable)."""
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str) and raw.strip():
        text = raw.strip()
        try:
            value = float(text)
        except ValueError:
            try:
                at = datetime.fromisoformat(text)
            except ValueError:
                return ""
            value = (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
    if value is None or not 0 < value <= LATEST:
        return ""
    return repr(round(value, 6))


def parse(request: HookRequest) -> Parsed:
    if request.header(ECHO):
        echo = request.header(ECHO)[:MAX_ECHO]
        return Parsed(reply="", reply_headers=((ECHO, echo),))
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return Parsed()
    if not isinstance(data, dict):
        return Parsed()
    session, direction = str(data.get("session_id") or ""), str(data.get("type") or "")
    state = str(data.get("state") or "")
    if not session or direction not in DIRECTIONS or state not in STATES:
        return Parsed()
    fields = {
        "type": direction,
        "from": number(str(data.get("from_number") or "")),
        "from_pin": number(str(data.get("from_pin") or "")),
        "to": number(str(data.get("request_number") or "")),
        "to_pin": number(str(data.get("request_pin") or "")),
        f"at_{state}": _stamp(data.get("timestamp")),
    }
    # The record keeps only what an event may carry, so a verdict judged from it (by the fold
    # script too, which checks nothing) is always a valid event.
    for name in NUMBERS:
        if len(fields[name]) > MAX_NUMBER:
            raise ValueError(f"{name} is longer than {MAX_NUMBER} characters")
    fields["group"] = group_id(fields["to"]) or ""
    final = state == "disconnected"
    step = Step(
        call_id=call_id(NAME, session),
        fields=fields,
        marks=("connected",) if state == "connected" else (),
        final=final,
        missed=MISSED if final else None,
    )
    return Parsed(steps=(step,))


def _time(record: Mapping[str, str], name: str) -> float | None:
    value = record.get(name)
    return float(value) if value else None


def _span(start: float | None, end: float | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return min(end - start, 86_400.0)


def _dt(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def decide(cid: str, record: Mapping[str, str]) -> Verdict | None:
    """A call's verdict from its folded events, at its end (the fold script records a missed
    call itself; this judges every other ending, and a missed call it left to intake)."""
    missed = MISSED.event(cid, record)
    if missed is not None and missed.group is None and record.get("to"):
        # A record whose first events were folded before the group was kept beside the line.
        missed = missed.model_copy(update={"group": group_id(record["to"])})
    if missed is not None:
        return missed
    connected = record.get("connected") == "1"
    new, up, end = (_time(record, f"at_{s}") for s in STATES)
    talk = _span(up, end) if connected else None
    common = {"call_id": cid, "started_at": _dt(new)}
    direction = record.get("type")
    if direction == "incoming":
        caller = record.get("from") or record.get("from_pin")
        if not caller or not connected:
            return None
        return AnsweredEvent(type="answered", caller=caller, talk_seconds=talk,
            answered_by=record.get("to_pin") or None, **common)  # fmt: skip
    if direction == "outbound" and record.get("to"):
        return OutboundEvent(type="outbound", callee=record["to"], answered=connected,
            extension=record.get("from_pin") or None, talk_seconds=talk, **common)  # fmt: skip
    return None


VENDOR = Vendor(
    name=NAME,
    title="Rostelecom VATS",
    auth="X-Client-Sign = sha256(client_id + body + client_key), X-Client-ID compared",
    options=("client_id", "client_key"),
    secrets=("client_id", "client_key"),
    required=("client_id", "client_key"),
    events={
        "incoming, disconnected with no connected before": "missed (judged by the fold itself)",
        "incoming, disconnected after connected": "answered",
        "outbound, disconnected": "outbound",
        "new, connected, internal calls": "nothing (folded into the call's record)",
    },
    verify=verify,
    parse=parse,
    decide=decide,
)
