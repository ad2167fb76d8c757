"""The emulated world on disk, for a sandbox that must survive restarts (tests stay in memory).

What a person playing users expects to find again: the bots (with their tokens: the service
stores them too), the users, who started or blocked which bot, the groups and their members,
and the recent messages (so the buttons of the last menus still press). Pending updates,
callback queries, faults, counters and logs start afresh, as after a Telegram outage.

Written atomically (a temporary file in the same directory, fsync, rename), readable only by
its owner: it holds bot tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from .state import BotAccount, ChatRecord, StoredMessage, UserAccount, World

log = logging.getLogger(__name__)

VERSION = 1
# Messages kept per dialog: enough for the last menus, bounded for a long-running sandbox.
KEEP_MESSAGES = 50
SAVE_EVERY = 1.0


def dump(world: World) -> dict[str, Any]:
    """The persistent part of the world as plain JSON."""
    dialogs = []
    for (chat_id, bot_id), messages in world.dialogs.items():
        live = [asdict(m) for m in messages.values() if not m.deleted][-KEEP_MESSAGES:]
        dialogs.append(
            {
                "chat_id": chat_id,
                "bot_id": bot_id,
                "next_message_id": world.next_message_id.get((chat_id, bot_id), 1),
                "messages": live,
            }
        )
    return {
        "version": VERSION,
        "bots": [
            {
                "id": b.id,
                "token": b.token,
                "username": b.username,
                "first_name": b.first_name,
                "commands": [[scope, lang, cmds] for (scope, lang), cmds in b.commands.items()],
                "descriptions": b.descriptions,
                "short_descriptions": b.short_descriptions,
            }
            for b in world.bots.values()
        ],
        "users": [
            {**asdict(u), "started": sorted(u.started), "blocked": sorted(u.blocked)}
            for u in world.users.values()
        ],
        "chats": [
            {
                **asdict(c),
                **{k: sorted(getattr(c, k)) for k in ("members", "admins", "bots", "kicked_bots")},
            }
            for c in world.chats.values()
        ],
        "dialogs": dialogs,
        "next": {
            "user": world._next_user_id,
            "bot": world._next_bot_id,
            "group": world._next_group,
        },
    }


def restore(world: World, data: dict[str, Any]) -> None:
    """Fill an empty world from `dump`'s output."""
    if data.get("version") != VERSION:
        raise ValueError(f"unknown snapshot version {data.get('version')!r}")
    for b in data["bots"]:
        bot = BotAccount(b["id"], b["token"], b["username"], b["first_name"])
        bot.commands = {(scope, lang): cmds for scope, lang, cmds in b["commands"]}
        bot.descriptions = dict(b["descriptions"])
        bot.short_descriptions = dict(b["short_descriptions"])
        world.bots[bot.id] = bot
        world.tokens[bot.token] = bot.id
    user_fields = {f.name for f in fields(UserAccount)}
    for u in data["users"]:
        user = UserAccount(**{k: v for k, v in u.items() if k in user_fields})
        user.started, user.blocked = set(u["started"]), set(u["blocked"])
        world.users[user.id] = user
    chat_fields = {f.name for f in fields(ChatRecord)}
    for c in data["chats"]:
        chat = ChatRecord(**{k: v for k, v in c.items() if k in chat_fields})
        for name in ("members", "admins", "bots", "kicked_bots"):
            setattr(chat, name, set(c[name]))
        world.chats[chat.id] = chat
        if chat.username:
            world.chat_usernames[chat.username.lower()] = chat.id
    message_fields = {f.name for f in fields(StoredMessage)}
    for d in data["dialogs"]:
        key = (d["chat_id"], d["bot_id"])
        world.next_message_id[key] = d["next_message_id"]
        world.dialogs[key] = {
            m["message_id"]: StoredMessage(**{k: v for k, v in m.items() if k in message_fields})
            for m in d["messages"]
        }
    world._next_user_id = data["next"]["user"]
    world._next_bot_id = data["next"]["bot"]
    world._next_group = data["next"]["group"]


def write(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` atomically: a reader sees the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def load(path: Path, event_log_limit: int) -> World | None:
    """The world saved in `path`, or None when there is none; a damaged file is set aside
    with a warning (the sandbox then starts afresh rather than not at all)."""
    if not path.exists():
        return None
    world = World(event_log_limit)
    try:
        restore(world, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        aside = path.with_name(path.name + ".damaged")
        with contextlib.suppress(OSError):
            path.replace(aside)
        log.warning("emulator state in %s unreadable (%s); set aside as %s", path, exc, aside)
        return None
    return world


class Persister:
    """Writes the world to `path` whenever it changed, checked every SAVE_EVERY seconds."""

    def __init__(
        self, world_of: Callable[[], World], path: Path, every: float = SAVE_EVERY
    ) -> None:
        self._world_of = world_of  # a callable: the emulator may replace its world (reset)
        self._path = path
        self._every = every
        self._last = ""
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def save_if_changed(self) -> None:
        data = dump(self._world_of())
        text = json.dumps(data, sort_keys=True)
        if text != self._last:
            write(self._path, data)
            self._last = text

    async def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._every):
                    await self._stop.wait()
            try:
                self.save_if_changed()
            except OSError as exc:
                log.warning("could not save the emulator state to %s: %s", self._path, exc)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="emulator:persist")

    async def stop(self) -> None:
        """Stop the loop and write the last state."""
        self._stop.set()
        if self._task is not None:
            await self._task
        self.save_if_changed()
