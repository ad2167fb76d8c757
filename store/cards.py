"""A follow-up card: its states, resolutions and steps, the record as Redis keeps it, and the
due-index members (store/followup.py changes cards; this module only describes them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

HISTORY_SECONDS = 30 * 24 * 3600
RECENT_KEPT = 1000


class State(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    CALLED_BACK = "called_back"
    GOT_THROUGH = "got_through"
    MANUAL = "manual"
    EXPIRED = "expired"


class Step(StrEnum):
    """What is due for an unresolved card at its time in FOLLOWUP_DUE."""

    ESCALATE = "escalate"
    REMIND = "remind"
    EXPIRE = "expire"


class Refused(StrEnum):
    """Why a press changed nothing."""

    GONE = "gone"  # no such card (expired from the store)
    RESOLVED = "resolved"  # already resolved
    TAKEN = "taken"  # somebody else claimed it
    NOT_CLAIMER = "not_claimer"  # only the claimer may give it up
    NOT_CLAIMED = "not_claimed"


def normalise(raw: str, region: str) -> str:
    """E.164 when the number is valid for the tenant's region, else its digits (or raw)."""
    try:
        parsed = phonenumbers.parse(raw, region)
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(c for c in raw if c.isdigit())
    return digits or raw.strip()


@dataclass(frozen=True, slots=True)
class Card:
    tenant_id: str
    id: str
    call_id: str  # the first missed call's PBX id: its payload renders the card
    caller: str  # E.164 (or digits), "" when hidden
    group_id: str
    state: State
    first_seen: float
    last_seen: float
    count: int
    version: int
    resolution: Resolution | None = None
    claimed_by: int = 0
    claimed_name: str = ""
    claimed_at: float = 0.0
    resolved_by: int = 0
    resolved_name: str = ""
    resolved_at: float = 0.0
    extension: str = ""
    talk_seconds: float | None = None
    attempts: int = 0
    last_attempt_at: float = 0.0
    escalated: bool = False
    reminded: bool = False
    # The tenant's PBX could place calls when the card was made: «Позвонить» is offered.
    dial: bool = False

    @property
    def time_to_callback(self) -> float | None:
        if self.resolution is Resolution.CALLED_BACK:
            return max(0.0, self.resolved_at - self.first_seen)
        return None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "call_id": self.call_id,
            "caller": self.caller,
            "group": self.group_id,
            "state": self.state.value,
            "resolution": self.resolution.value if self.resolution else None,
            "claimed_by": self.claimed_name or None,
            "resolved_by": self.resolved_name or None,
            "extension": self.extension or None,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "repeat_count": self.count,
            "attempts": self.attempts,
            "time_to_callback_s": self.time_to_callback,
        }


def card_of_record(tid: str, h: dict[str, str]) -> Card | None:
    if not h:
        return None
    talk = h.get("talk_seconds")
    return Card(
        tenant_id=tid,
        id=h["id"],
        call_id=h["call_id"],
        caller=h.get("caller", ""),
        group_id=h.get("group", ""),
        state=State(h["state"]),
        first_seen=float(h["first_seen"]),
        last_seen=float(h["last_seen"]),
        count=int(h.get("count", 1)),
        version=int(h.get("version", 1)),
        resolution=Resolution(h["resolution"]) if h.get("resolution") else None,
        claimed_by=int(h.get("claimed_by") or 0),
        claimed_name=h.get("claimed_name", ""),
        claimed_at=float(h.get("claimed_at") or 0),
        resolved_by=int(h.get("resolved_by") or 0),
        resolved_name=h.get("resolved_name", ""),
        resolved_at=float(h.get("resolved_at") or 0),
        extension=h.get("extension", ""),
        talk_seconds=float(talk) if talk else None,
        attempts=int(h.get("attempts") or 0),
        last_attempt_at=float(h.get("last_attempt_at") or 0),
        escalated=h.get("escalated") == "1",
        reminded=h.get("reminded") == "1",
        dial=h.get("dial") == "1",
    )


@dataclass(frozen=True, slots=True)
class Opened:
    card: Card
    new: bool  # a new card (send it); else an open card this call was merged into (edit it)


@dataclass(frozen=True, slots=True)
class Changed:
    """A transition's answer: the card as it is now, and why nothing changed (if so)."""

    card: Card | None
    refused: Refused | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None


@dataclass(frozen=True, slots=True)
class History:
    calls_30d: int
    last_answered: float | None
    last_called_back: float | None


@dataclass(frozen=True, slots=True)
class Copy:
    chat: int
    bot: int
    message_id: int
    bid: str  # the custom bot's id in the store, "" for the default bot
    shown: int  # the card version this message shows


@dataclass(frozen=True, slots=True)
class Due:
    tenant_id: str
    card: str
    step: Step


def due_member(tid: str, card: str, step: Step) -> str:
    return f"{tid}|{card}|{step.value}"


def parse_due(member: str) -> Due | None:
    try:
        tid, card, step = member.split("|")
        return Due(tid, card, Step(step))
    except ValueError:
        return None


def record_of(c: Card) -> dict[str, str]:
    return {
        "id": c.id,
        "call_id": c.call_id,
        "caller": c.caller,
        "group": c.group_id,
        "state": c.state.value,
        "first_seen": repr(c.first_seen),
        "last_seen": repr(c.last_seen),
        "count": str(c.count),
        "version": str(c.version),
        "resolution": c.resolution.value if c.resolution else "",
        "claimed_by": str(c.claimed_by or ""),
        "claimed_name": c.claimed_name,
        "claimed_at": repr(c.claimed_at) if c.claimed_at else "",
        "resolved_by": str(c.resolved_by or ""),
        "resolved_name": c.resolved_name,
        "resolved_at": repr(c.resolved_at) if c.resolved_at else "",
        "extension": c.extension,
        "talk_seconds": repr(c.talk_seconds) if c.talk_seconds is not None else "",
        "attempts": str(c.attempts),
        "last_attempt_at": repr(c.last_attempt_at) if c.last_attempt_at else "",
        "escalated": "1" if c.escalated else "",
        "reminded": "1" if c.reminded else "",
        "dial": "1" if c.dial else "",
    }


def replaced(c: Card, **changes: object) -> Card:
    return card_of_record(
        c.tenant_id,
        {
            **record_of(c),
            **{k: str(v) if not isinstance(v, float) else repr(v) for k, v in changes.items()},
        },
    )  # type: ignore[return-value]
