"""The Outbox: handlers queue a rendered text to a chat (or to a tenant's admins), durably;
it then goes through the same limits, bot choice and retries as every notification."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from redis.exceptions import WatchError
from telegram import InlineKeyboardMarkup

from delivery.files import FILE_TTL, encoded, file_key
from delivery.render import MAX_TEXT, visible_length
from store import Store
from store.keys import INTAKE

Markup = InlineKeyboardMarkup | Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class Once:
    """A flag that lets a message be queued once (until it expires after `ttl` seconds)."""

    flag: str
    ttl: int


MAX_CAPTION = 1024
MEDIA = ("photo", "document")


class TextTooLong(ValueError):
    """Telegram would refuse this text: it is over 4096 characters once parsed."""


def _check(text: str) -> None:
    if not text.strip():
        raise ValueError("text is empty")
    if visible_length(text) > MAX_TEXT:
        raise TextTooLong(f"text is {visible_length(text)} characters; Telegram allows {MAX_TEXT}")


def markup_json(markup: Markup) -> str:
    if markup is None:
        return ""
    data = markup.to_dict() if isinstance(markup, InlineKeyboardMarkup) else dict(markup)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Outbox:
    """`await outbox.service(tenant_id, chat_id, text)`: durable once it returns (HTML text)."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._r = store.redis
        self._clock = clock

    async def service(self, tid: str, chat_id: int, text: str, reply_markup: Markup = None) -> str:
        """Queue one message to one chat of a tenant; returns the intake entry id."""
        _check(text)
        fields = {
            "kind": "service",
            "tenant": tid,
            "chat": str(chat_id),
            "text": text,
            "markup": markup_json(reply_markup),
            "at": repr(self._clock()),
        }
        return await self._r.xadd(INTAKE, fields)

    async def admins(
        self, tid: str, text: str, reply_markup: Markup = None, *, once: Once | None = None
    ) -> str | None:
        """Queue one message to every admin the tenant has when the entry is processed.

        With `once`, the message is queued only if its flag is not set, and the flag is set in
        the same transaction: two processes that notice the same thing at once queue it once.
        Returns the entry id, or None when the flag was already set."""
        _check(text)
        fields = {
            "kind": "admins",
            "tenant": tid,
            "text": text,
            "markup": markup_json(reply_markup),
            "at": repr(self._clock()),
        }
        if once is None:
            return await self._r.xadd(INTAKE, fields)
        async with self._r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(once.flag)
                    if await pipe.get(once.flag) is not None:
                        return None
                    pipe.multi()
                    pipe.xadd(INTAKE, fields)
                    pipe.set(once.flag, "1", ex=once.ttl)
                    entry_id, _ = await pipe.execute()
                    return entry_id
                except WatchError:
                    continue  # the other one got there first: the loop sees its flag

    async def followers(
        self, tid: str, group_id: str, text: str, reply_markup: Markup = None
    ) -> str:
        """Queue one message to every active follower of a group, as they are when processed:
        one durable entry, however many followers (fan-out expands it)."""
        _check(text)
        fields = {
            "kind": "followers",
            "tenant": tid,
            "group": group_id,
            "text": text,
            "markup": markup_json(reply_markup),
            "at": repr(self._clock()),
        }
        return await self._r.xadd(INTAKE, fields)

    async def file(
        self,
        tid: str,
        chat_id: int | None,
        media: str,
        data: bytes,
        filename: str,
        caption: str = "",
        reply_markup: Markup = None,
    ) -> str:
        """Queue a photo or a document (HTML caption) to one chat, or with `chat_id` None to
        every admin of the tenant; the bytes are kept beside the entry (with a TTL), written
        first: a crash in between leaves only a key that expires (and no cross-slot step)."""
        if media not in MEDIA:
            raise ValueError(f"media must be one of {MEDIA}")
        if not data:
            raise ValueError("file is empty")
        if caption and visible_length(caption) > MAX_CAPTION:
            raise TextTooLong(f"caption is {visible_length(caption)} characters; max {MAX_CAPTION}")
        key = file_key(tid, data)
        fields = {
            "kind": "file",
            "tenant": tid,
            "chat": "" if chat_id is None else str(chat_id),
            "media": media,
            "file": key,
            "filename": filename,
            "text": caption,
            "markup": markup_json(reply_markup),
            "at": repr(self._clock()),
        }
        await self._r.set(key, encoded(data), ex=FILE_TTL)
        return await self._r.xadd(INTAKE, fields)
