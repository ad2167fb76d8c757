"""A group bound to a forum supergroup: its cards go to its own topic there. The binding and
the topic's thread id are fields of the group record (`forum_chat`, `forum_thread`)."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

from redis.asyncio import Redis

from store import keys
from store._tx import atomically
from store.errors import InvalidInput, NotFound

# "fm<tenant>-<random>": the tenant says where the code is kept; Telegram lets a startgroup
# payload have up to 64 characters of A-Z, a-z, 0-9, "_" and "-".
_CODE_RE = re.compile(r"fm([0-9]{1,20})-([0-9a-f]{24})")


@dataclass(frozen=True, slots=True)
class ForumCode:
    """What a one-time binding code stands for: this tenant's group, asked for by this admin."""

    tenant: str
    group: str
    admin_chat: int
    lang: str


def code_tenant(code: str) -> str | None:
    """The tenant a binding code names, or None when the text is not one."""
    m = _CODE_RE.fullmatch(code)
    return m.group(1) if m else None


@dataclass(frozen=True, slots=True)
class ForumBinding:
    chat_id: int
    thread: int | None  # None until the topic is created (on first use)
    title: str = ""  # the forum's title when it was bound


_FIELDS = ("forum_chat", "forum_thread", "forum_title")


class Topics:
    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def bind(
        self, tid: str, gid: str, chat_id: int | None, title: str = ""
    ) -> ForumBinding | None:
        """Send the group's cards to a forum supergroup (None: unbind); a new binding starts
        without a topic, so the next card creates one there."""
        if chat_id is not None and chat_id > -1_000_000_000_000:
            raise InvalidInput("a forum is a supergroup: its chat id starts with -100")
        key = keys.group(tid, gid)
        was = await self.binding(tid, gid)
        if chat_id is not None:  # the index first: a crash leaves an entry the reader drops
            await self._r.sadd(keys.forum_groups(chat_id), _member(tid, gid))

        async def body(pipe) -> None:
            if not await pipe.hexists(key, "created_at"):
                raise NotFound(f"no group {gid!r}")
            pipe.multi()
            pipe.hdel(key, *_FIELDS)
            if chat_id is not None:
                pipe.hset(key, mapping={"forum_chat": str(chat_id), "forum_title": title[:255]})

        await atomically(self._r, [key], body)
        if was is not None and was.chat_id != chat_id:
            await self._r.srem(keys.forum_groups(was.chat_id), _member(tid, gid))
        return await self.binding(tid, gid)

    async def unbind_if(self, tid: str, gid: str, chat_id: int) -> bool:
        """Unbind the group only if it is still bound to this forum; True when it was."""
        key = keys.group(tid, gid)

        async def body(pipe) -> bool:
            if await pipe.hget(key, "forum_chat") != str(chat_id):
                return False
            pipe.multi()
            pipe.hdel(key, *_FIELDS)
            return True

        done = await atomically(self._r, [key], body)
        await self._r.srem(keys.forum_groups(chat_id), _member(tid, gid))
        return done

    async def bound_to(self, chat_id: int) -> list[tuple[str, str]]:
        """(tenant, group) of every group bound to this forum now; entries the groups no
        longer confirm (unbound, deleted, a crash between the two writes) are dropped."""
        index = keys.forum_groups(chat_id)
        found: list[tuple[str, str]] = []
        for member in sorted(await self._r.smembers(index)):
            tid, _, gid = member.partition(":")
            binding = await self.binding(tid, gid)
            if binding is not None and binding.chat_id == chat_id:
                found.append((tid, gid))
            else:
                await self._r.srem(index, member)
        return found

    async def binding(self, tid: str, gid: str) -> ForumBinding | None:
        chat, thread, title = await self._r.hmget(keys.group(tid, gid), _FIELDS)
        if not chat:
            return None
        return ForumBinding(int(chat), int(thread) if thread else None, title or "")

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

    async def new_code(self, tid: str, gid: str, admin_chat: int, lang: str, ttl: float) -> str:
        """A one-time code for t.me/<bot>?startgroup=<code>, kept `ttl` seconds."""
        code = f"fm{tid}-{secrets.token_hex(12)}"
        value = json.dumps({"group": gid, "admin": admin_chat, "lang": lang})
        await self._r.set(keys.forum_code(tid, code), value, px=max(1, round(ttl * 1000)))
        return code

    async def peek_code(self, code: str) -> ForumCode | None:
        """What a code stands for, without using it up (None: unknown, used or expired)."""
        return await self._code(code, take=False)

    async def take_code(self, code: str) -> ForumCode | None:
        """Use a code up: only the first caller gets it."""
        return await self._code(code, take=True)

    async def _code(self, code: str, take: bool) -> ForumCode | None:
        tid = code_tenant(code)
        if tid is None:
            return None
        key = keys.forum_code(tid, code)
        raw = await (self._r.getdel(key) if take else self._r.get(key))
        if raw is None:
            return None
        data = json.loads(raw)
        return ForumCode(tid, str(data["group"]), int(data["admin"]), str(data["lang"]))

    async def lock(self, tid: str, gid: str, seconds: float) -> bool:
        """One worker creates a group's topic at a time."""
        key = keys.topic_lock(tid, gid)
        return bool(await self._r.set(key, "1", nx=True, px=round(seconds * 1000)))

    async def unlock(self, tid: str, gid: str) -> None:
        await self._r.delete(keys.topic_lock(tid, gid))


def _member(tid: str, gid: str) -> str:
    return f"{tid}:{gid}"
