"""What every handler of one bot can reach: `context.deps` on a typed CallbackContext."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from perezvon.texts import Catalogue
from store import Store


@dataclass(frozen=True, slots=True)
class BotRef:
    """A bot the service runs: its Telegram identity and, for a custom bot, its owner."""

    tg_id: int
    username: str
    name: str
    tenant_id: str | None = None
    custom_id: str | None = None

    @property
    def is_default(self) -> bool:
        return self.tenant_id is None


@dataclass(frozen=True, slots=True)
class Command:
    """A command shown in Telegram's menu (`menu` text key) and in /help (`help` text key)."""

    name: str
    menu: str
    help: str


@dataclass(frozen=True)
class BotDeps:
    """Dependencies of one bot's handlers; built per Application, never shared between bots."""

    store: Store
    texts: Catalogue
    me: BotRef
    default: BotRef
    commands: tuple[Command, ...]
    # Telegram rejected this bot's token: the runtime stops it (and marks a custom bot broken).
    report_rejected: Callable[[], None]
    clock: Callable[[], float] = field(default=time.time)


class PzApplication(Application):
    """An Application that carries its bot's dependencies (set once getMe has answered)."""

    __slots__ = ("_flush_lock", "deps")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deps: BotDeps | None = None
        # Flushes wait for each other here, so that nothing marks a chat between the pruning of
        # empty chat_data and PTB's own flush (PTB would re-create the entry it then reads).
        self._flush_lock = asyncio.Lock()

    async def process_update(self, update: object) -> None:
        """PTB's processing, then the state it changed goes to Redis at once (write-through).

        PTB flushes persistence only on a timer per Application. A timer a few seconds long
        lost the last step of a conversation on a crash, and at 10,000 bots its wake-ups
        were most of an idle runtime's CPU; the timer is now only a slow safety net
        (`PERSISTENCE_SAFETY_NET`) for state a non-blocking handler or a job changes."""
        try:
            await super().process_update(update)
        finally:
            if self.persistence is not None:
                await self.update_persistence()

    async def update_persistence(self) -> None:
        """Forget empty state, then PTB's flush.

        PTB creates a chat_data dict for every chat on every update and keeps it forever, and
        it collects the user ids to persist even when user_data is not stored (it clears that
        set only when it is). A chat whose chat_data is empty at the flush loses its entry (in
        Redis too, in case an admin draft just ended); a handler that needs it again gets a
        fresh one. Handlers must not hold a chat_data dict across an await: re-read it."""
        async with self._flush_lock:
            persistence = self.persistence
            if persistence is None or not persistence.store_data.user_data:
                self._user_ids_to_be_updated_in_persistence.clear()
            for chat_id in list(self._chat_ids_to_be_updated_in_persistence):
                if not self._chat_data.get(chat_id):
                    self.drop_chat_data(chat_id)
            # PTB's lock is free here (every flush comes through this method), so nothing runs
            # between the pruning above and PTB taking the marked ids.
            await super().update_persistence()


class Ctx(CallbackContext[ExtBot, dict, dict, dict]):
    """The context handlers receive; `ctx.deps` is this bot's BotDeps."""

    @property
    def deps(self) -> BotDeps:
        deps = self.application.deps  # type: ignore[attr-defined]
        if deps is None:
            raise RuntimeError("handler ran before the bot was initialized")
        return deps
