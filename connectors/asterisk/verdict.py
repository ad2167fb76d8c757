"""What the detector decided about one call, and its translation into a `CallEvent`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from store.events import AnsweredEvent, CallEvent, FollowUp, OutboundEvent

ANONYMOUS_CALLER = "anonymous"
_MAX_EXTENSIONS = 100


class VerdictKind(StrEnum):
    """The outcome of a call; `expired` means it was closed by timeout without a hangup."""

    MISSED = "missed"
    MISSED_WITH_VOICEMAIL = "missed_with_voicemail"
    ANSWERED = "answered"
    EXPIRED = "expired"
    # A phone called an outside number (answered when `answered_at` is set).
    OUTBOUND = "outbound"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision about one inbound call (one Linkedid), with what the product shows."""

    kind: VerdictKind
    linkedid: str
    caller: str | None
    caller_name: str | None
    did: str | None
    group: str | None
    answered_by: str | None
    ring_started_at: datetime | None
    ended_at: datetime | None
    answered_at: datetime | None
    wait_seconds: float | None
    extensions: tuple[str, ...]
    voicemail: bool
    callee: str | None = None

    @property
    def is_missed(self) -> bool:
        """True for the verdicts a company is notified about."""
        return self.kind in (VerdictKind.MISSED, VerdictKind.MISSED_WITH_VOICEMAIL)


class NotMissedError(ValueError):
    """Only missed calls become `CallEvent`s."""


def to_call_event(verdict: Verdict, *, call_id_prefix: str = "ami:") -> CallEvent:
    """The `CallEvent` for a missed verdict; the prefix keeps ids unique per AMI connection."""
    if not verdict.is_missed:
        raise NotMissedError(f"verdict {verdict.kind} for {verdict.linkedid} is not missed")
    extensions = [ext for ext in verdict.extensions if 0 < len(ext) <= 32][:_MAX_EXTENSIONS]
    wait = verdict.wait_seconds
    return CallEvent(
        call_id=f"{call_id_prefix}{verdict.linkedid}"[:128],
        caller=(verdict.caller or ANONYMOUS_CALLER)[:64],
        called=verdict.did[:64] if verdict.did else None,
        group=verdict.group[:64] if verdict.group else None,
        started_at=verdict.ring_started_at,
        ended_at=verdict.ended_at,
        wait_seconds=None if wait is None else min(max(wait, 0.0), 86_400.0),
        caller_name=verdict.caller_name[:256] if verdict.caller_name else None,
        extensions=extensions,
        voicemail=verdict.voicemail,
    )


def to_answered_event(verdict: Verdict, *, call_id_prefix: str = "ami:") -> AnsweredEvent | None:
    """The `AnsweredEvent` for an answered inbound call with a known caller (it resolves the
    caller's open card as got through, e.g. a retry answered under a new Linkedid)."""
    if verdict.kind is not VerdictKind.ANSWERED or not verdict.caller:
        return None
    talk = None
    if verdict.answered_at and verdict.ended_at and verdict.ended_at >= verdict.answered_at:
        talk = min((verdict.ended_at - verdict.answered_at).total_seconds(), 86_400.0)
    return AnsweredEvent(
        type="answered",
        call_id=f"{call_id_prefix}{verdict.linkedid}"[:128],
        caller=verdict.caller[:64],
        answered_by=verdict.answered_by[:64] if verdict.answered_by else None,
        group=verdict.group[:64] if verdict.group else None,
        started_at=verdict.ring_started_at,
        talk_seconds=talk,
    )


def to_outbound_event(verdict: Verdict, *, call_id_prefix: str = "ami:") -> OutboundEvent | None:
    """The `OutboundEvent` for a phone's call to an outside number (it resolves the callee's
    open card as called back when answered, or records an attempt)."""
    if verdict.kind is not VerdictKind.OUTBOUND or not verdict.callee:
        return None
    talk = None
    if verdict.answered_at and verdict.ended_at and verdict.ended_at >= verdict.answered_at:
        talk = min((verdict.ended_at - verdict.answered_at).total_seconds(), 86_400.0)
    return OutboundEvent(
        type="outbound",
        call_id=f"{call_id_prefix}{verdict.linkedid}"[:128],
        callee=verdict.callee[:64],
        extension=verdict.answered_by[:64] if verdict.answered_by else None,
        answered=verdict.answered_at is not None,
        started_at=verdict.ring_started_at,
        talk_seconds=talk if verdict.answered_at is not None else None,
    )


def to_followup_event(verdict: Verdict, *, call_id_prefix: str = "ami:") -> FollowUp | None:
    """What an answered inbound or an outbound call tells the follow-up loop, if anything."""
    if verdict.kind is VerdictKind.OUTBOUND:
        return to_outbound_event(verdict, call_id_prefix=call_id_prefix)
    return to_answered_event(verdict, call_id_prefix=call_id_prefix)
