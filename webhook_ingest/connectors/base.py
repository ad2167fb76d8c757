"""The contract every cloud PBX connector module fulfils: a request in, verdicts out, no I/O."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from multidict import CIMultiDict, CIMultiDictProxy

from store.events import AnsweredEvent, CallEvent, OutboundEvent
from store.pbx_calls import Step

Verdict = CallEvent | AnsweredEvent | OutboundEvent
# The store's group-id rule: no white space and no ':'.
_GROUP_UNSAFE = re.compile(r"[\s:]+")
_SIP = re.compile(r"^(?:sip:|tel:)?([^@;]+).*$")


@dataclass(frozen=True, slots=True)
class HookRequest:
    """What a vendor sent, as plain data: the connector modules never see aiohttp."""

    method: str
    sub_path: str  # below /v1/hooks/<vendor>/<id>, "" or e.g. "events/summary"
    url: str  # the public URL the vendor posted to, query included (Twilio signs it)
    # Case-insensitive, the first of a name wins: aiohttp's own (a multidict) is kept as it is,
    # any other mapping has its names lowercased on construction.
    headers: Mapping[str, str]
    query: Mapping[str, str]
    form: tuple[tuple[str, str], ...]
    body: bytes
    # The form by name, the first of a name winning; built once, as a vendor asks for up to ten.
    fields: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", dict(reversed(self.form)))
        if isinstance(self.headers, CIMultiDictProxy | CIMultiDict):
            return
        lowered: dict[str, str] = {}
        for key, value in self.headers.items():
            lowered.setdefault(key.lower(), value)
        object.__setattr__(self, "headers", lowered)

    def field(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True, slots=True)
class Parsed:
    """At most one verdict per call; `reply` answers a vendor's check or query instead.

    `steps` are for vendors whose verdict only a call's sequence of events tells: each is folded
    into the call's record (store/pbx_calls.py) and the vendor's `decide` judges it at the end.
    """

    verdicts: tuple[Verdict, ...] = ()
    reply: str | None = None
    reply_type: str = "text/plain"
    reply_headers: tuple[tuple[str, str], ...] = ()
    steps: tuple[Step, ...] = ()
    # The number a vendor asks the caller's name of: the hook looks the name up (the parse does
    # no I/O) and answers with the vendor's `contact_reply` of it instead of `reply`.
    contact: str | None = None


class Rejected(Exception):
    """The request is not the vendor's (bad signature, wrong token): 401/403, nothing kept."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class Vendor:
    """A connector module's declarative header plus its two pure functions."""

    name: str
    title: str
    auth: str  # how the vendor proves a request is its own, in one line
    options: tuple[str, ...]  # option names; the secret ones are sealed at rest
    secrets: tuple[str, ...]
    events: Mapping[str, str]  # vendor event -> what it becomes
    verify: Callable[[HookRequest, Mapping[str, str]], None]
    parse: Callable[[HookRequest], Parsed]
    required: tuple[str, ...] = field(default=())
    # (call id, the call's folded record at its end) -> its verdict; for parses that yield steps.
    decide: Callable[[str, Mapping[str, str]], Verdict | None] | None = None
    # The name the tenant's PBXs gave that number (None: unknown) -> the answer's body (JSON).
    contact_reply: Callable[[str | None], str] | None = None


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets (or digests) as text."""
    return hmac.compare_digest(given.encode(), expected.encode())


def need(options: Mapping[str, str], name: str) -> str:
    value = options.get(name, "")
    if not value:
        raise Rejected(f"connector has no {name} configured", 403)
    return value


def token_field(request: HookRequest, options: Mapping[str, str], option: str, name: str) -> None:
    """A shared secret posted as form field `name`, checked against the `option` saved."""
    token = need(options, option)
    given = request.field(name)
    if not given:
        raise Rejected(f"missing {name}")
    if not same(given, token):
        raise Rejected(f"wrong {option}")


def number(raw: str) -> str:
    """A phone number or extension without SIP/tel decoration."""
    match = _SIP.match(raw.strip())
    return (match.group(1) if match else raw).strip()


def group_id(raw: str) -> str | None:
    """The vendor's queue/line name as a Perezvon group id, or None for the default group."""
    cleaned = _GROUP_UNSAFE.sub("_", raw.strip())[:64].strip("_")
    return cleaned or None


def call_id(vendor: str, raw: str) -> str:
    """Vendor-prefixed, so two vendors' ids never collide in the ingest's dedup."""
    return f"{vendor}:{raw}"[:128]


def seconds(raw: str) -> float | None:
    """A vendor's duration text as seconds within the event schema's range, or None."""
    try:
        return min(max(float(raw), 0.0), 86_400.0)
    except ValueError:
        return None


def unsigned(request: HookRequest, options: Mapping[str, str]) -> None:
    """For vendors that sign nothing: the unguessable URL and `allow_ip` (checked before)."""
