"""Twilio Programmable Voice: status callbacks and <Dial action> requests (form posts).

Authenticates: `X-Twilio-Signature` = base64(HMAC-SHA1(auth_token, full URL + every POST
parameter sorted by name as name+value)), as twilio-python's RequestValidator computes it.
Options: auth_token (secret).
Events: inbound with DialCallStatus (the <Dial action>) or CallStatus in no-answer / busy /
failed / canceled -> missed; inbound with DialCallStatus=completed -> answered; outbound-api
with a final CallStatus -> outbound; ringing/in-progress, dialled child legs (outbound-dial)
and an inbound call's own `completed` callback -> noise.
Id: CallSid. Group: To (the number called). Recording: RecordingUrl.
Sources: twilio/twilio-python (twilio/request_validator.py), twilio.com/docs/usage/webhooks/
webhooks-security, twilio.com/docs/voice/twiml/dial#action.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

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
    seconds,
)

NAME = "twilio"
UNANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})
FINAL = UNANSWERED | {"completed"}


def signature(url: str, form: tuple[tuple[str, str], ...], token: str) -> str:
    """RequestValidator.compute_signature: URL, then sorted names with their sorted values."""
    values: dict[str, set[str]] = {}
    for name, value in form:  # one pass: the form was scanned once per name (O(n²))
        values.setdefault(name, set()).add(value)
    parts = [url]
    for name in sorted(values):
        for value in sorted(values[name]):
            parts += (name, value)
    digest = hmac.new(token.encode(), "".join(parts).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(request: HookRequest, options: Mapping[str, str]) -> None:
    token = need(options, "auth_token")
    given = request.header("X-Twilio-Signature")
    if not given:
        raise Rejected("missing X-Twilio-Signature")
    if not same(given, signature(request.url, request.form, token)):
        raise Rejected("bad X-Twilio-Signature")


def parse(request: HookRequest) -> Parsed:
    f = request.field
    sid, direction = f("CallSid"), f("Direction")
    status, dial = f("CallStatus"), f("DialCallStatus")
    if not sid:
        return Parsed()
    common = {"call_id": call_id(NAME, sid), "recording_url": f("RecordingUrl") or None}
    if direction == "inbound" and f("From"):
        caller = number(f("From"))
        verdict = dial or status
        if verdict in UNANSWERED:
            return Parsed((CallEvent(caller=caller, called=f("To") or None,
                group=group_id(f("To")), caller_name=f("CallerName") or None,
                **common),))  # fmt: skip
        if dial == "completed":
            return Parsed((AnsweredEvent(type="answered", caller=caller,
                talk_seconds=seconds(f("DialCallDuration")), **common),))  # fmt: skip
        return Parsed()
    if direction == "outbound-api" and status in FINAL and f("To"):
        ok = status == "completed"
        return Parsed((OutboundEvent(type="outbound", callee=number(f("To")),
            extension=number(f("From")) or None, answered=ok,
            talk_seconds=seconds(f("CallDuration")) if ok else None, **common),))  # fmt: skip
    return Parsed()


VENDOR = Vendor(
    name=NAME,
    title="Twilio",
    auth="X-Twilio-Signature: base64 HMAC-SHA1(auth_token, URL + sorted params)",
    options=("auth_token",),
    secrets=("auth_token",),
    required=("auth_token",),
    events={
        "inbound, (Dial)CallStatus no-answer/busy/failed/canceled": "missed",
        "inbound, DialCallStatus=completed": "answered",
        "outbound-api, final CallStatus": "outbound",
        "ringing, in-progress, outbound-dial legs, inbound completed": "nothing (noise)",
    },
    verify=verify,
    parse=parse,
)
