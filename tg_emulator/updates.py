"""One bot's queue of pending updates, shared by getUpdates and webhook delivery."""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import Any

from .signal import Signal

# Telegram leaves these out unless asked for by name.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_kind(update: dict[str, Any]) -> str:
    """The update's type, i.e. its one key besides update_id."""
    return next(key for key in update if key != "update_id")


def is_allowed(update: dict[str, Any], allowed: list[str] | None) -> bool:
    """Whether an update passes an allowed_updates filter (None or [] means the default set)."""
    kind = update_kind(update)
    if not allowed:
        return kind not in OPT_IN_UPDATES
    return kind in allowed


class UpdateQueue:
    """Pending updates in id order; confirmed ones are forgotten as Telegram does."""

    def __init__(self, first_id: int = 1) -> None:
        self.pending: deque[dict[str, Any]] = deque()
        self.next_id = first_id
        self.signal = Signal()
        # Bumped by every getUpdates call so an earlier waiting call learns it was superseded.
        self.poll_generation = 0

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Append a new update and wake pollers and the webhook sender."""
        update = {"update_id": self.next_id, kind: payload}
        self.next_id += 1
        self.pending.append(update)
        self.signal.fire()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below offset; a negative offset keeps only the last -offset ones."""
        if offset < 0:
            while len(self.pending) > -offset:
                self.pending.popleft()
            return
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()

    def pop_first(self, update_id: int) -> None:
        """Forget one delivered update (webhook path)."""
        if self.pending and self.pending[0]["update_id"] == update_id:
            self.pending.popleft()

    def select(self, limit: int, allowed: list[str] | None) -> list[dict[str, Any]]:
        """Up to limit pending updates that pass the filter, oldest first; drops filtered ones."""
        if any(not is_allowed(update, allowed) for update in self.pending):
            # Telegram never stores updates a bot did not subscribe to.
            self.pending = deque(u for u in self.pending if is_allowed(u, allowed))
        return list(islice(self.pending, limit))

    def drop_all(self) -> None:
        """Forget every pending update (drop_pending_updates)."""
        self.pending.clear()
        self.signal.fire()
