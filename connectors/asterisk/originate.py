"""AMI `Originate`: ring a phone, then connect it to a number; the outcome Asterisk reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.asterisk.parser import AmiMessage


class Outcome(StrEnum):
    """What became of one Originate (the phone's side; the callee is the dialplan's job)."""

    ANSWERED = "answered"  # the phone answered and went on to dial the number
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"  # refused (Response: Error), congestion, no such channel
    LOST = "lost"  # the AMI session ended, or no answer came in time: unknown


# OriginateResponse `Reason`: the last control frame of the outgoing channel (AST_CONTROL_*).
_REASONS = {"4": Outcome.ANSWERED, "3": Outcome.NO_ANSWER, "1": Outcome.NO_ANSWER,
            "5": Outcome.BUSY}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Originate:
    """One call to place: `channel` first; once it answers, `context`/`exten`/`priority`, or
    `application` with `data`."""

    channel: str
    caller_id: str = ""
    context: str = ""
    exten: str = ""
    priority: str = "1"
    application: str = ""
    data: str = ""
    timeout_ms: int = 30_000

    def fields(self) -> dict[str, str]:
        out = {"Channel": self.channel, "Timeout": str(self.timeout_ms)}
        if self.caller_id:
            out["CallerID"] = self.caller_id
        if self.application:
            out["Application"] = self.application
            if self.data:
                out["Data"] = self.data
        else:
            out.update(Context=self.context, Exten=self.exten, Priority=self.priority)
        return out


def outcome_of(message: AmiMessage) -> Outcome | None:
    """The final outcome a reply to an Originate carries, or None for "queued, wait"."""
    if message.event == "OriginateResponse":
        if message.get("Response") == "Success":
            return Outcome.ANSWERED
        return _REASONS.get(message.get("Reason") or "", Outcome.FAILED)
    if message.response is not None and message.response != "Success":
        return Outcome.FAILED
    return None
