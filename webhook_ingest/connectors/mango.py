"""Mango Office VPBX API ("API коннектор").

Authenticates: form fields `vpbx_api_key`, `sign`, `json`; sign = sha256_hex(api_key + json +
api_salt) over the raw `json` string, and `vpbx_api_key` must be the tenant's.
Options: api_key, api_salt (both secret).
Events: POST <url>/events/summary (the last event of a call) becomes the verdict:
call_direction=1 and entry_result!=1 -> missed; call_direction=1 answered -> answered;
call_direction=2 -> outbound. /events/call (one per leg), /events/recording, /events/dtmf and
internal calls (call_direction=0) are noise. Id: entry_id. Group: to.acd_group, else line_number.
Sources: maxodrom/yii2-mango-office-api (BaseController.php, models/events/Summary.php).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from store.events import AnsweredEvent, CallEvent, OutboundEvent
from webhook_ingest.connectors.base import (
    HookRequest,
    Parsed,
    Rejected,
    Vendor,
    call_id,
    group_id,
    need,
    number,
    same,
)

NAME = "mango"
SUMMARY = "events/summary"
INBOUND, OUTBOUND = 1, 2


def verify(request: HookRequest, options: Mapping[str, str]) -> None:
    key, salt = need(options, "api_key"), need(options, "api_salt")
    sign = request.field("sign")
    if not sign:
        raise Rejected("missing sign")
    if not same(request.field("vpbx_api_key"), key):
        raise Rejected("wrong vpbx_api_key")
    expected = hashlib.sha256((key + request.field("json") + salt).encode()).hexdigest()
    if not same(sign.lower(), expected):
        raise Rejected("bad sign")


def _stamp(value: object) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) and value else None


def _span(start: object, end: object) -> float | None:
    if isinstance(start, int | float) and isinstance(end, int | float) and start and end >= start:
        return float(min(end - start, 86_400))
    return None


def parse(request: HookRequest) -> Parsed:
    if request.sub_path.rstrip("/") != SUMMARY:
        return Parsed()
    try:
        data = json.loads(request.field("json") or "{}")
    except ValueError:
        return Parsed()
    if not isinstance(data, dict) or not data.get("entry_id"):
        return Parsed()
    src, dst = data.get("from") or {}, data.get("to") or {}
    direction = int(data.get("call_direction") or 0)
    answered = int(data.get("entry_result") or 0) == 1
    common = {
        "call_id": call_id(NAME, str(data["entry_id"])),
        "started_at": _stamp(data.get("create_time")),
    }
    talk = _span(data.get("talk_time"), data.get("end_time"))
    if direction == INBOUND and src.get("number"):
        caller = number(str(src["number"]))
        if answered:
            return Parsed((AnsweredEvent(type="answered", caller=caller, talk_seconds=talk,
                answered_by=number(str(dst.get("extension") or dst.get("number") or "")) or None,
                **common),))  # fmt: skip
        line = str(data.get("line_number") or "")
        return Parsed((CallEvent(
            caller=caller, called=line or None,
            group=group_id(str(dst.get("acd_group") or line)),
            ended_at=_stamp(data.get("end_time")),
            wait_seconds=_span(data.get("create_time"), data.get("end_time")),
            **common,
        ),))  # fmt: skip
    if direction == OUTBOUND and dst.get("number"):
        return Parsed((OutboundEvent(type="outbound", callee=number(str(dst["number"])),
            extension=number(str(src.get("extension") or "")) or None, answered=answered,
            talk_seconds=talk if answered else None, **common),))  # fmt: skip
    return Parsed()


VENDOR = Vendor(
    name=NAME,
    title="Mango Office",
    auth="sign = sha256(api_key + json + api_salt), vpbx_api_key compared",
    options=("api_key", "api_salt"),
    secrets=("api_key", "api_salt"),
    required=("api_key", "api_salt"),
    events={
        "summary, call_direction=1, entry_result!=1": "missed",
        "summary, call_direction=1, entry_result=1": "answered",
        "summary, call_direction=2": "outbound",
        "call, recording, dtmf, internal summary": "nothing (noise)",
    },
    verify=verify,
    parse=parse,
)
