"""Missed-call detection over AMI events: group by Linkedid, decide once per call, stay bounded."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

from connectors.asterisk.call_state import TRACKED_EVENTS, UP_STATE, CallTrack, Dialplan
from connectors.asterisk.parser import AmiMessage
from connectors.asterisk.verdict import Verdict

DEFAULT_INBOUND_CONTEXTS = ("from-trunk", "from-pstn")
# Where a phone's own calls run: FreePBX's from-internal, a plain Asterisk's usual names.
DEFAULT_INTERNAL_CONTEXTS = ("from-internal", "internal", "phones")


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Per-connection knobs; the defaults suit a FreePBX or plain Asterisk office PBX."""

    inbound_contexts: tuple[str, ...] = DEFAULT_INBOUND_CONTEXTS
    internal_contexts: tuple[str, ...] = DEFAULT_INTERNAL_CONTEXTS
    min_external_digits: int = 7
    did_groups: Mapping[str, str] = field(default_factory=dict)
    hangup_grace: float = 2.0
    linkedid_end_grace: float = 30.0
    call_timeout: float = 4 * 3600.0
    max_calls: int = 5_000
    max_decided: int = 50_000
    server_tz: tzinfo = UTC

    def __post_init__(self) -> None:
        if not self.inbound_contexts:
            raise ValueError("inbound_contexts must name at least one dialplan context")
        if self.max_calls < 1 or self.max_decided < 1:
            raise ValueError("max_calls and max_decided must be positive")
        if min(self.hangup_grace, self.linkedid_end_grace, self.call_timeout) < 0:
            raise ValueError("grace periods and the call timeout must not be negative")


@dataclass(slots=True)
class DetectorStats:
    """Counters for operators: how much was tracked, decided, evicted or ignored."""

    tracked: int = 0
    decided: int = 0
    evicted: int = 0
    expired: int = 0
    late_events: int = 0


class MissedCallDetector:
    """Pure state machine: `feed` events and `tick` the clock, collect one verdict per call."""

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self.settings = settings or DetectorSettings()
        self.stats = DetectorStats()
        self._plan = Dialplan(
            tuple(self.settings.inbound_contexts),
            tuple(self.settings.internal_contexts),
            self.settings.min_external_digits,
        )
        self._groups = dict(self.settings.did_groups)
        self._calls: OrderedDict[str, CallTrack] = OrderedDict()  # least recently active first
        self._deadlines: dict[str, float] = {}
        self._decided: OrderedDict[str, None] = OrderedDict()
        self._saw_linkedid_end = False

    @property
    def live_calls(self) -> int:
        """How many Linkedids are tracked right now."""
        return len(self._calls)

    def already_decided(self, linkedid: str) -> bool:
        """True when a verdict (or a silent close) was reached for this Linkedid."""
        return linkedid in self._decided

    def feed(self, message: AmiMessage, now: float) -> list[Verdict]:
        """Fold one AMI message in (`now` in epoch seconds); return the verdicts it completed."""
        name = message.first.get("Event")
        if name not in TRACKED_EVENTS or not _relevant(name, message):
            return []
        linkedid = _linkedid_of(name, message)
        if not linkedid:
            return []
        if linkedid in self._decided:
            # Late legs, replays after a reconnect: the call has had its one verdict.
            self.stats.late_events += 1
            return []
        out: list[Verdict] = []
        call = self._calls.get(linkedid)
        if call is None:
            if len(self._calls) >= self.settings.max_calls:
                _, oldest = self._calls.popitem(last=False)
                self.stats.evicted += 1
                self._close(oldest, final=False, out=out)
            call = self._calls[linkedid] = CallTrack(linkedid, now)
            self.stats.tracked += 1
        else:
            self._calls.move_to_end(linkedid)
            call.last_seen = now
        if name == "CEL":
            call.apply_cel(message, self.settings.server_tz)
            if message.first.get("EventName") == "LINKEDID_END":
                self._saw_linkedid_end = True
                del self._calls[linkedid]
                self._close(call, final=True, out=out)
            return out
        had_hung_up = call.hung_up is not None
        call.apply(message, now, self._plan)
        if not had_hung_up and call.hung_up is not None:
            # With CEL, LINKEDID_END closes the call; the grace only covers a lost one.
            grace = (
                self.settings.linkedid_end_grace
                if self._saw_linkedid_end
                else self.settings.hangup_grace
            )
            self._deadlines[linkedid] = now + grace
        return out

    def tick(self, now: float) -> list[Verdict]:
        """Close calls whose grace after hangup passed, or that went silent past the timeout."""
        out: list[Verdict] = []
        for linkedid in [lid for lid, due in self._deadlines.items() if due <= now]:
            call = self._calls.pop(linkedid, None)
            if call is not None:
                self._close(call, final=True, out=out)
        stale_before = now - self.settings.call_timeout
        while self._calls:
            linkedid, call = next(iter(self._calls.items()))
            if call.last_seen > stale_before:
                break
            del self._calls[linkedid]
            self.stats.expired += 1
            self._close(call, final=False, out=out)
        return out

    def _close(self, call: CallTrack, *, final: bool, out: list[Verdict]) -> None:
        self._deadlines.pop(call.linkedid, None)
        self._decided[call.linkedid] = None
        if len(self._decided) > self.settings.max_decided:
            self._decided.popitem(last=False)
        verdict = call.verdict(final=final, did_groups=self._groups)
        if verdict is not None:
            self.stats.decided += 1
            out.append(verdict)


def _relevant(name: str, message: AmiMessage) -> bool:
    # Most VarSet/Newexten/Newstate traffic says nothing about the verdict; skip it cheaply.
    if name == "VarSet":
        return message.first.get("Variable") == "VMSTATUS"
    if name == "Newexten":
        return message.first.get("Application") == "VoiceMail"
    if name == "Newstate":
        return message.first.get("ChannelState") == UP_STATE
    if name == "CEL":
        return message.first.get("EventName") in _CEL_NAMES
    return True


_CEL_NAMES = frozenset({"CHAN_START", "ANSWER", "HANGUP", "CHAN_END", "APP_START", "LINKEDID_END"})


def _linkedid_of(name: str, message: AmiMessage) -> str | None:
    first = message.first
    if name == "CEL":
        return first.get("LinkedID") or first.get("Linkedid")
    if name == "Pickup":
        return first.get("TargetLinkedid") or first.get("Linkedid")
    return first.get("Linkedid")
