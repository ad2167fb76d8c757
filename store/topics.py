"""A group bound to a forum supergroup: its cards go to its own topic there. The binding and
the topic's thread id are fields of the group record (`forum_chat`, `forum_thread`)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from store import keys
from store._tx import atomically
from store.errors import InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class ForumBinding:
    chat_id: int
    thread: int | None  # None until the topic is created (on first use)


class Topics:
    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def bind(self, tid: str, gid: str, chat_id: int | None) -> ForumBinding | None:
        """Send the group's cards to a forum supergroup (None: unbind); a new binding starts
        without a topic, so the next card creates one there."""
        if chat_id is not None and chat_id > -1_000_000_000_000:
            raise InvalidInput("a forum is a supergroup: its chat id starts with -100")
        key = keys.group(tid, gid)

        async def body(pipe) -> None:
            if not await pipe.hexists(key, "created_at"):
                raise NotFound(f"no group {gid!r}")
            pipe.multi()
            pipe.hdel(key, "forum_chat", "forum_thread")
            if chat_id is not None:
                pipe.hset(key, "forum_chat", str(chat_id))

        await atomically(self._r, [key], body)
        return await self.binding(tid, gid)

    async def binding(self, tid: str, gid: str) -> ForumBinding | None:
        chat, thread = await self._r.hmget(keys.group(tid, gid), ["forum_chat", "forum_thread"])
        if not chat:
            return None
        return ForumBinding(int(chat), int(thread) if thread else None)

    async def set_thread(self, tid: str, gid: str, chat_id: int, thread: int) -> int | None:
        """Keep the thread of the topic just created; the thread kept (an earlier one wins),
        or None when the group is no longer bound to that chat."""
        key = keys.group(tid, gid)

        async def body(pipe) -> int | None:
            chat, kept = await pipe.hmget(key, ["forum_chat", "forum_thread"])
            if chat != str(chat_id):
                return None
            if kept:
                return int(kept)
            pipe.multi()
            pipe.hset(key, "forum_thread", str(thread))
            return thread

        return await atomically(self._r, [key], body)

    async def forget_thread(self, tid: str, gid: str, chat_id: int, thread: int) -> None:
        """The topic is gone: forget its thread (only if it is still the one kept)."""
        key = keys.group(tid, gid)

        async def body(pipe) -> None:
            chat, kept = await pipe.hmget(key, ["forum_chat", "forum_thread"])
            if chat == str(chat_id) and kept == str(thread):
                pipe.multi()
                pipe.hdel(key, "forum_thread")

        await atomically(self._r, [key], body)

    async def lock(self, tid: str, gid: str, seconds: float) -> bool:
        """One worker creates a group's topic at a time."""
        key = keys.topic_lock(tid, gid)
        return bool(await self._r.set(key, "1", nx=True, px=round(seconds * 1000)))

    async def unlock(self, tid: str, gid: str) -> None:
        await self._r.delete(keys.topic_lock(tid, gid))
