"""Zadarma and Novofon (classic): the same API lineage, one module with two vendor names.

Authenticates: header `Signature` = base64(lowercase hex HMAC-SHA1(secret, signed string)); the
signed string is the event's own: START/INTERNAL/END caller_id+called_did+call_start, ANSWER
caller_id+destination+call_start, OUT_START/OUT_END internal+destination+call_start, RECORD
pbx_call_id+call_id_with_rec. `GET ?zd_echo=X` (the cabinet's URL check) is answered with X.
Options: secret (secret).
Events: NOTIFY_END disposition!=answered -> missed; NOTIFY_END answered -> answered;
NOTIFY_OUT_END -> outbound; START/INTERNAL/ANSWER/OUT_START/RECORD/IVR -> noise.
Id: pbx_call_id. Group: called_did (the line the call came in on).
Sources: zadarma/user-api-v1 (lib/Webhook/Notify*.php getSignatureString,
examples/callinfo_callback.php), novofon/user-api-v1 (lib/Client.php encodeSignature).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping

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

SIGNED = {
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
}
ECHO = "zd_echo"
MAX_ECHO = 256


def signature(request: HookRequest, secret: str) -> str:
    """What Zadarma puts in `Signature` for this request (the SDKs' encodeSignature)."""
    fields = SIGNED.get(request.field("event"), ())
    text = "".join(request.field(f) for f in fields)
    hexed = hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(hexed.encode()).decode()


def _is_echo(request: HookRequest) -> bool:
    return request.method == "GET" and ECHO in request.query


def verify(request: HookRequest, options: Mapping[str, str]) -> None:
    if _is_echo(request):
        return  # the URL check carries no signature and records nothing
    secret = need(options, "secret")
    given = request.header("Signature")
    if not given:
        raise Rejected("missing Signature")
    if request.field("event") not in SIGNED or not same(given, signature(request, secret)):
        raise Rejected("bad Signature")


def _parser(name: str) -> Callable[[HookRequest], Parsed]:
    def parse(request: HookRequest) -> Parsed:
        if _is_echo(request):
            return Parsed(reply=request.query[ECHO][:MAX_ECHO])
        event, pbx_id = request.field("event"), request.field("pbx_call_id")
        if not pbx_id:
            return Parsed()
        cid = call_id(name, pbx_id)
        answered = request.field("disposition").strip().lower() == "answered"
        talk = seconds(request.field("duration")) if answered else None
        internal = number(request.field("internal")) or None
        if event == "NOTIFY_END" and request.field("caller_id"):
            caller = number(request.field("caller_id"))
            if answered:
                return Parsed((AnsweredEvent(type="answered", call_id=cid, caller=caller,
                    answered_by=internal, talk_seconds=talk),))  # fmt: skip
            did = request.field("called_did")
            return Parsed((CallEvent(call_id=cid, caller=caller, called=did or None,
                group=group_id(did), extensions=[internal] if internal else []),))  # fmt: skip
        if event == "NOTIFY_OUT_END" and request.field("destination"):
            return Parsed((OutboundEvent(type="outbound", call_id=cid,
                callee=number(request.field("destination")), extension=internal,
                answered=answered, talk_seconds=talk),))  # fmt: skip
        return Parsed()

    return parse


def vendor(name: str, title: str) -> Vendor:
    return Vendor(
        name=name,
        title=title,
        auth="Signature header: base64(hex HMAC-SHA1(secret, event fields)); ?zd_echo= echoed",
        options=("secret",),
        secrets=("secret",),
        required=("secret",),
        events={
            "NOTIFY_END, disposition!=answered": "missed",
            "NOTIFY_END, disposition=answered": "answered",
            "NOTIFY_OUT_END": "outbound",
            "NOTIFY_START/INTERNAL/ANSWER/OUT_START/RECORD": "nothing (noise)",
        },
        verify=verify,
        parse=_parser(name),
    )


ZADARMA = vendor("zadarma", "Zadarma")
NOVOFON = vendor("novofon", "Novofon")
