"""The facts gathered about one Linkedid while it is live, and the verdict they support."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

from connectors.asterisk.fields import (
    cel_time,
    event_time,
    extension_of,
    extension_of_member,
    known_id,
    to_datetime,
)
from connectors.asterisk.parser import AmiMessage
from connectors.asterisk.verdict import Verdict, VerdictKind

RING_STATE = "4"  # incoming trunk channels are created in state Ring; outgoing ones in Down
UP_STATE = "6"
_MAX_CEL_LEGS = 64
_MAX_EXTENSIONS = 100  # what a CallEvent carries at most


@dataclass(frozen=True, slots=True)
class Dialplan:
    """What the detector knows of the PBX's dialplan: where inbound calls and phones start."""

    inbound: tuple[str, ...]
    internal: tuple[str, ...] = ()
    # A dialled number this long (digits) is an outside number, not an extension or a feature.
    min_external_digits: int = 7


@dataclass(slots=True)
class Stamp:
    """When something happened: the server's `Timestamp` if sent, and when we received it."""

    server: float | None
    received: float


@dataclass(slots=True)
class CelTimes:
    """CEL `EventTime`s of one leg, the clock of streams sent without `Timestamp` headers."""

    start: float | None = None
    answer: float | None = None
    hangup: float | None = None


@dataclass(slots=True)
class CallTrack:
    """Everything the detector knows about one Linkedid so far."""

    linkedid: str
    last_seen: float
    inbound_uid: str | None = None
    did: str | None = None
    caller: str | None = None
    caller_name: str | None = None
    queue: str | None = None
    ring: Stamp | None = None
    answered: Stamp | None = None
    answered_by: str | None = None
    voicemail_started: Stamp | None = None
    up_after_voicemail: Stamp | None = None
    voicemail_stored: bool = False
    hung_up: Stamp | None = None
    ended: bool = False
    # An outbound call: a phone's leg in an internal context dialling an outside number.
    outbound_uid: str | None = None
    callee: str | None = None
    dialled_by: str | None = None
    dialled: Stamp | None = None
    callee_answered: Stamp | None = None
    extensions: dict[str, None] = field(default_factory=dict)
    cel: dict[str, CelTimes] = field(default_factory=dict)

    def apply(self, msg: AmiMessage, now: float, plan: Dialplan) -> None:
        """Fold one event of this Linkedid into the facts."""
        name = msg.first.get("Event")
        handler = _HANDLERS.get(name or "")
        if handler is not None:
            handler(self, msg, Stamp(event_time(msg), now), plan)

    def apply_cel(self, msg: AmiMessage, server_tz: tzinfo) -> None:
        """Keep the CEL times of a leg; they date events when `Timestamp` is off."""
        uid = msg.first.get("UniqueID")
        when = cel_time(msg, server_tz)
        if not uid or when is None:
            return
        times = self.cel.get(uid)
        if times is None:
            if len(self.cel) >= _MAX_CEL_LEGS:
                return
            times = self.cel[uid] = CelTimes()
        kind = msg.first.get("EventName")
        if kind == "CHAN_START" and times.start is None:
            times.start = when
        elif kind == "ANSWER" and times.answer is None:
            times.answer = when
        elif kind in ("HANGUP", "CHAN_END") and times.hangup is None:
            times.hangup = when
        elif kind == "APP_START" and uid == self.inbound_uid:
            app = (msg.first.get("Application") or "").lower()
            if app == "voicemail" and self.voicemail_started is None:
                self.voicemail_started = Stamp(event_time(msg), self.last_seen)

    def verdict(self, *, final: bool, did_groups: dict[str, str]) -> Verdict | None:
        """The verdict, or None when neither an inbound leg nor an outbound call belongs to
        this Linkedid."""
        if self.inbound_uid is None:
            return self._outbound_verdict(final)
        leg = self.cel.get(self.inbound_uid, CelTimes())
        ring = _pick(self.ring, leg.start)
        end = _pick(self.hung_up, leg.hangup)
        answer = _pick(self.answered, leg.answer)
        if self.answered is not None:
            kind, moment = VerdictKind.ANSWERED, answer
        elif not final and self.hung_up is None:
            kind, moment = VerdictKind.EXPIRED, None
        elif self.voicemail_stored:
            pickup = self.up_after_voicemail or self.voicemail_started
            kind, moment = VerdictKind.MISSED_WITH_VOICEMAIL, _pick(pickup, leg.answer)
            moment = moment if moment is not None else end
        else:
            kind, moment = VerdictKind.MISSED, end
        wait = None if ring is None or moment is None else round(max(moment - ring, 0.0), 6)
        group = self.queue or (did_groups.get(self.did) if self.did else None)
        return Verdict(
            kind=kind,
            linkedid=self.linkedid,
            caller=self.caller,
            caller_name=self.caller_name,
            did=self.did,
            group=group,
            answered_by=self.answered_by if self.answered is not None else None,
            ring_started_at=to_datetime(ring),
            ended_at=to_datetime(end),
            answered_at=to_datetime(answer) if self.answered is not None else None,
            wait_seconds=wait,
            extensions=tuple(self.extensions),
            voicemail=kind is VerdictKind.MISSED_WITH_VOICEMAIL,
        )

    def _outbound_verdict(self, final: bool) -> Verdict | None:
        if self.outbound_uid is None or (not final and self.hung_up is None):
            return None  # closed by timeout mid-call: how it ended is unknown
        start = _pick(self.dialled, self.cel.get(self.outbound_uid, CelTimes()).start)
        end = _pick(self.hung_up, self.cel.get(self.outbound_uid, CelTimes()).hangup)
        answer = _pick(self.callee_answered, None)
        return Verdict(
            kind=VerdictKind.OUTBOUND,
            linkedid=self.linkedid,
            caller=None,
            caller_name=None,
            did=None,
            group=None,
            answered_by=self.dialled_by,
            ring_started_at=to_datetime(start),
            ended_at=to_datetime(end),
            answered_at=to_datetime(answer),
            wait_seconds=None,
            extensions=(self.dialled_by,) if self.dialled_by else (),
            voicemail=False,
            callee=self.callee,
        )

    def _on_inbound(self, msg: AmiMessage) -> bool:
        uid = msg.first.get("Uniqueid")
        if uid is None or uid != self.inbound_uid:
            return False
        caller = known_id(msg.first.get("CallerIDNum"))
        if caller:
            self.caller = caller
        name = known_id(msg.first.get("CallerIDName"))
        if name:
            self.caller_name = name
        return True

    def _rang(self, ext: str | None) -> None:
        if ext and len(self.extensions) < _MAX_EXTENSIONS:
            self.extensions[ext] = None

    def _answer(self, when: Stamp, by: str | None) -> None:
        # The first person to answer is the one who served the caller; transfers come later.
        if self.answered is None:
            self.answered = when
            self.answered_by = by


def _pick(stamp: Stamp | None, cel: float | None) -> float | None:
    if stamp is not None and stamp.server is not None:
        return stamp.server
    if cel is not None:
        return cel
    return None if stamp is None else stamp.received


def _in_contexts(context: str | None, prefixes: tuple[str, ...]) -> bool:
    return bool(context) and bool(prefixes) and context.startswith(prefixes)  # type: ignore[union-attr]


def _newchannel(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    first = msg.first
    if call.inbound_uid is not None or first.get("ChannelState") != RING_STATE:
        return
    if not _in_contexts(first.get("Context"), plan.inbound):
        return
    call.inbound_uid = first.get("Uniqueid")
    call.ring = when
    exten = first.get("Exten")
    call.did = exten if exten and exten != "s" else None
    call._on_inbound(msg)


def _caller_update(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    if call._on_inbound(msg) and call.did is None:
        exten = msg.first.get("Exten")
        if exten and exten != "s" and _in_contexts(msg.first.get("Context"), plan.inbound):
            call.did = exten


def _dial_begin(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    if call._on_inbound(msg):
        call._rang(extension_of(msg.first.get("DestChannel")))
    elif call.inbound_uid is None and call.outbound_uid is None:
        _outbound_begin(call, msg, when, plan)


def _outbound_begin(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    # The dialling side is a phone's channel running the internal context with the dialled
    # number as its extension (a phone's own call and an Originate to a phone alike).
    first = msg.first
    if not _in_contexts(first.get("Context"), plan.internal):
        return
    callee = _outside_number(first.get("Exten"), plan) or _outside_number(
        _dialstring_number(first.get("DialString")), plan
    )
    if callee is None or not first.get("Uniqueid"):
        return
    call.outbound_uid = first.get("Uniqueid")
    call.callee = callee
    call.dialled = when
    call.dialled_by = extension_of(first.get("Channel")) or known_id(first.get("CallerIDNum"))


def _outside_number(value: str | None, plan: Dialplan) -> str | None:
    value = (value or "").strip()
    digits = value[1:] if value.startswith("+") else value
    if not digits.isdigit() or len(digits) < plan.min_external_digits:
        return None
    return value[:64]


def _dialstring_number(value: str | None) -> str | None:
    # PJSIP/<number>@<trunk> dials as "<number>@<trunk>"; SIP/<trunk>/<n> as "<trunk>/<n>".
    if not value:
        return None
    value = value.split("@", 1)[0]
    return value.rsplit("/", 1)[-1]


def _dial_end(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    if call._on_inbound(msg) and msg.first.get("DialStatus") == "ANSWER":
        call._answer(when, extension_of(msg.first.get("DestChannel")))
    elif _on_outbound(call, msg) and msg.first.get("DialStatus") == "ANSWER":
        if call.callee_answered is None:
            call.callee_answered = when


def _on_outbound(call: CallTrack, msg: AmiMessage) -> bool:
    uid = msg.first.get("Uniqueid")
    return uid is not None and uid == call.outbound_uid


def _queue_join(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    if call._on_inbound(msg) and call.queue is None:
        call.queue = msg.first.get("Queue") or None


def _agent_called(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    call._on_inbound(msg)
    call._rang(extension_of_member(msg.first.get("Interface"), msg.first.get("MemberName")))


def _agent_connect(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    call._on_inbound(msg)
    call._answer(when, extension_of_member(msg.first.get("Interface"), msg.first.get("MemberName")))


def _pickup(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    # Routed here by the target's Linkedid: the picker answered this call.
    call._answer(when, extension_of(msg.first.get("Channel")))


def _newexten(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    if call._on_inbound(msg) and msg.first.get("Application") == "VoiceMail":
        if call.voicemail_started is None:
            call.voicemail_started = when


def _newstate(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    if call._on_inbound(msg) and msg.first.get("ChannelState") == UP_STATE:
        if call.voicemail_started is not None and call.up_after_voicemail is None:
            call.up_after_voicemail = when


def _var_set(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    if msg.first.get("Variable") == "VMSTATUS" and msg.first.get("Value") == "SUCCESS":
        call.voicemail_stored = True


def _message_waiting(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    call.voicemail_stored = True


def _hangup(call: CallTrack, msg: AmiMessage, when: Stamp, plan: Dialplan) -> None:
    if (call._on_inbound(msg) or _on_outbound(call, msg)) and call.hung_up is None:
        call.hung_up = when


_HANDLERS = {
    "Newchannel": _newchannel,
    "NewCallerid": _caller_update,
    "DialBegin": _dial_begin,
    "DialEnd": _dial_end,
    "QueueCallerJoin": _queue_join,
    "AgentCalled": _agent_called,
    "AgentConnect": _agent_connect,
    "Pickup": _pickup,
    "Newexten": _newexten,
    "Newstate": _newstate,
    "VarSet": _var_set,
    "MessageWaiting": _message_waiting,
    "Hangup": _hangup,
}
TRACKED_EVENTS = frozenset(_HANDLERS) | {"CEL"}
