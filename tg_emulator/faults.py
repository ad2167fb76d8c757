"""Faults injected on demand, per bot and/or per chat, one-shot or persistent."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

FAULT_KINDS = frozenset(
    {"latency", "error_500", "html_502", "drop", "timeout_after_store", "flood"}
)
# Faults that only make sense for calls that send or edit a message: a 429, or the change stored
# and then the answer held (the ambiguous timeout).
SEND_ONLY_KINDS = frozenset({"timeout_after_store", "flood"})
SEND_METHODS = frozenset({"sendmessage", "editmessagetext", "editmessagereplymarkup"})


class FaultSpecError(ValueError):
    """An injected fault description that does not make sense."""


@dataclass
class Fault:
    """One injected fault; count None means it stays until cleared."""

    id: int
    kind: str
    bot_id: int | None = None
    chat_id: int | None = None
    methods: list[str] | None = None
    count: int | None = None
    seconds: float = 0.0
    retry_after: int = 5

    def matches(self, bot_id: int, chat_id: int | None, method: str) -> bool:
        """Whether this fault applies to a call."""
        if self.bot_id is not None and self.bot_id != bot_id:
            return False
        if self.chat_id is not None and self.chat_id != chat_id:
            return False
        if self.kind in SEND_ONLY_KINDS and method not in SEND_METHODS:
            return False
        return self.methods is None or method in self.methods

    def as_json(self) -> dict[str, Any]:
        """The fault as the control API shows it."""
        return asdict(self)


class FaultBook:
    """The active faults, consumed in the order they were injected."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: dict[str, Any]) -> Fault:
        """Validate a fault description and activate it."""
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise FaultSpecError(f"kind must be one of {sorted(FAULT_KINDS)}")
        methods = spec.get("methods")
        if methods is not None:
            if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
                raise FaultSpecError("methods must be a list of method names")
            methods = [m.lower() for m in methods]
        try:
            fault = Fault(
                id=next(self._ids),
                kind=kind,
                bot_id=_opt_int(spec.get("bot_id")),
                chat_id=_opt_int(spec.get("chat_id")),
                methods=methods,
                count=_opt_int(spec.get("count")),
                seconds=float(spec.get("seconds", 0.0)),
                retry_after=int(spec.get("retry_after", 5)),
            )
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"bad fault field: {exc}") from None
        if fault.count is not None and fault.count < 1:
            raise FaultSpecError("count must be positive (or absent for a persistent fault)")
        if fault.seconds < 0 or fault.retry_after < 1:
            raise FaultSpecError("seconds must be >= 0 and retry_after >= 1")
        self._faults.append(fault)
        return fault

    def take(self, kind: str, bot_id: int, chat_id: int | None, method: str) -> Fault | None:
        """The first active fault of this kind for the call, spending one of its uses."""
        for fault in self._faults:
            if fault.kind == kind and fault.matches(bot_id, chat_id, method):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def remove(self, fault_id: int) -> bool:
        """Clear one fault; False if it is not active."""
        before = len(self._faults)
        self._faults = [f for f in self._faults if f.id != fault_id]
        return len(self._faults) != before

    def clear(self, bot_id: int | None = None) -> int:
        """Clear every fault, or those of one bot; return how many went."""
        before = len(self._faults)
        self._faults = [f for f in self._faults if bot_id is not None and f.bot_id != bot_id]
        return before - len(self._faults)

    def active(self) -> list[Fault]:
        """The faults in force."""
        return list(self._faults)


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("boolean where an integer was expected")
    return int(value)
