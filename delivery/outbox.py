"""The Outbox: handlers queue a rendered text to a chat (or to a tenant's admins), durably;
it then goes through the same limits, bot choice and retries as every notification."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from redis.exceptions import WatchError
from telegram import InlineKeyboardMarkup

from delivery.render import MAX_TEXT, visible_length
from store import Store
from store._tx import tx_client
from store.intake import (
    AdminsEntry,
    FarewellEntry,
    FileEntry,
    FollowersEntry,
    ServiceEntry,
    append,
)
from store.models import CustomBot

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


def markup_dict(markup: Markup) -> dict | None:
    if markup is None:
        return None
    return markup.to_dict() if isinstance(markup, InlineKeyboardMarkup) else dict(markup)


class Outbox:
    """`await outbox.service(tenant_id, chat_id, text)`: durable once it returns (HTML text)."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._r = store.redis
        self._intake = store.intake
        self._store = store
        self._clock = clock

    async def service(self, tid: str, chat_id: int, text: str, reply_markup: Markup = None) -> str:
        """Queue one message to one chat of a tenant; returns the intake entry id."""
        _check(text)
        entry = ServiceEntry(tid, chat_id, text, markup_dict(reply_markup), self._clock())
        (entry_id,) = await self._intake.add([entry])
        return entry_id

    async def admins(
        self, tid: str, text: str, reply_markup: Markup = None, *, once: Once | None = None
    ) -> str | None:
        """Queue one message to every admin the tenant has when the entry is processed.

        With `once`, the message is queued only if its flag is not set, and the flag is set in
        the same transaction: two processes that notice the same thing at once queue it once.
        The flag must be a key of the tenant (its slot). Returns the entry id, or None when the
        flag was already set."""
        _check(text)
        entry = AdminsEntry(tid, text, markup_dict(reply_markup), self._clock())
        if once is None:
            (entry_id,) = await self._intake.add([entry])
            return entry_id
        client = await tx_client(self._r, once.flag)  # on a Cluster: the slot's master
        async with client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(once.flag)
                    if await pipe.get(once.flag) is not None:
                        return None
                    pipe.multi()
                    append(entry, pipe)
                    pipe.set(once.flag, "1", ex=once.ttl)
                    entry_id, _ = await pipe.execute()
                    break
                except WatchError:
                    continue  # the other one got there first: the loop sees its flag
        await self._intake.mark([tid])
        return entry_id

    async def followers(
        self, tid: str, group_id: str, text: str, reply_markup: Markup = None
    ) -> str:
        """Queue one message to every active follower of a group, as they are when processed:
        one durable entry, however many followers (fan-out expands it)."""
        _check(text)
        entry = FollowersEntry(tid, group_id, text, markup_dict(reply_markup), self._clock())
        (entry_id,) = await self._intake.add([entry])
        return entry_id

    async def farewell(self, bot: CustomBot, chats: list[int], text: str) -> str:
        """Queue `text` to each chat through `bot`, which is being switched off (or deleted):
        only it can reach the chats that never started another bot. The bot is kept (its
        token sealed) in the same MULTI as the entry, so the entry never names a bot delivery
        cannot find, and a crash leaves neither."""
        _check(text)
        entry = FarewellEntry(bot.tenant_id, bot.tg_id, tuple(chats), text, self._clock())
        async with self._r.pipeline(transaction=True) as pipe:
            self._store.leaving.keep_in(pipe, bot)
            append(entry, pipe)
            *_, entry_id = await pipe.execute()
        await self._intake.mark([bot.tenant_id])
        return entry_id

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
        every admin of the tenant; the bytes are kept beside the entry (with a TTL), in the same
        MULTI: both are in the tenant's slot."""
        if media not in MEDIA:
            raise ValueError(f"media must be one of {MEDIA}")
        if not data:
            raise ValueError("file is empty")
        if caption and visible_length(caption) > MAX_CAPTION:
            raise TextTooLong(f"caption is {visible_length(caption)} characters; max {MAX_CAPTION}")
        async with self._r.pipeline(transaction=True) as pipe:
            key = self._store.uploads.keep_in(pipe, tid, data)
            entry = FileEntry(
                tid,
                chat_id,
                media,
                key,
                filename,
                caption,
                markup_dict(reply_markup),
                self._clock(),
            )
            # The bytes and the entry share the tenant's slot: one MULTI, then the ready mark.
            append(entry, pipe)
            _, entry_id = await pipe.execute()
        await self._intake.mark([tid])
        return entry_id
