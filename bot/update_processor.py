"""Process updates of different chats concurrently, but those of one chat in order."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.handlers.common import delete_quietly
from bot.logfilter import API_KEY_RE, TOKEN_RE

log = logging.getLogger(__name__)

# Updates of one chat waiting their turn; more are dropped (a flood, not a conversation).
MAX_QUEUED_PER_CHAT = 20


class PerChatProcessor(BaseUpdateProcessor):
    """Chats do not wait for each other; within one chat (one conversation) order is kept.

    PTB's ConversationHandler needs one-by-one processing per conversation; conversations are
    keyed by chat (and user), so serialising per chat is enough.

    The chat's lock is taken before a concurrency slot. PTB's own `process_update` takes the
    slot first: a chat flooding more updates than there are slots then held every slot while
    its updates waited for their own lock, and every other chat of the bot (on the default bot:
    every tenant) froze. So `process_update` is replaced here, although PTB marks it final.
    """

    def __init__(
        self, max_concurrent_updates: int = 64, max_queued_per_chat: int = MAX_QUEUED_PER_CHAT
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._max_queued = max_queued_per_chat
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self.dropped = 0

    async def process_update(self, update: object, coroutine: Awaitable[object]) -> None:  # type: ignore[misc]
        key = _chat_key(update)
        if key is None:
            async with self._semaphore:
                await self.do_process_update(update, coroutine)
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        if users >= self._max_queued:
            self.dropped += 1
            log.warning(
                "chat %s has %d updates queued; update %s dropped",
                key,
                users,
                getattr(update, "update_id", "?"),
            )
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never run: no "was never awaited" warning
            await _scrub(update)
            return
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._semaphore:
                await self.do_process_update(update, coroutine)
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


async def _scrub(update: object) -> None:
    """A dropped update is never read, but a secret in it must not stay in the chat."""
    message = update.effective_message if isinstance(update, Update) else None
    if message is None:
        return
    body = "\n".join(filter(None, (message.text, message.caption)))
    if API_KEY_RE.search(body) or TOKEN_RE.search(body):
        if await delete_quietly(message):
            log.info("deleted a secret in chat %s from a dropped update", message.chat_id)
