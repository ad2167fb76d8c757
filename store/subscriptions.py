"""Subscriptions of chats to tenants, and the status rules users and admins follow."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from redis.asyncio import Redis

from store import keys
from store._tx import atomically
from store.errors import DisabledByAdmin, InvalidInput, NotFound
from store.models import Subscription, SubStatus

MAX_NAME = 128
EXTENSION = re.compile(r"\d{2,16}")
# Records a follower read looks at per script: a page is ~1 ms of Redis, so no reading of a big
# tenant blocks others for long.
FOLLOWERS_PAGE = 1000

# KEYS: subscription records; ARGV[1]: a group id. Returns the chat ids of the active records
# that follow the group (no `groups`: every group), so a fan-out parses ids, not records.
_FOLLOWERS = """
local out = {}
for _, key in ipairs(KEYS) do
  local h = redis.call('HMGET', key, 'status', 'groups', 'chat_id')
  if h[1] == 'active' and h[3] then
    local follows = true
    if h[2] and h[2] ~= '' then
      follows = false
      for _, g in ipairs(cjson.decode(h[2])) do
        if g == ARGV[1] then
          follows = true
          break
        end
      end
    end
    if follows then
      out[#out + 1] = h[3]
    end
  end
end
return out
"""


def _sub(tid: str, h: dict[str, str]) -> Subscription:
    groups = h.get("groups")
    return Subscription(
        tenant_id=tid,
        chat_id=int(h["chat_id"]),
        name=h.get("name", ""),
        username=h.get("username") or None,
        status=SubStatus(h["status"]),
        status_changed_at=float(h["status_changed_at"]),
        groups=None if not groups else frozenset(json.loads(groups)),
        created_at=float(h["created_at"]),
        extension=h.get("extension", ""),
    )


def _clean_name(name: str) -> str:
    name = " ".join(name.split())[:MAX_NAME]
    return name


class Subscriptions:
    """One record per (tenant, chat), its status and the date the status last changed.

    `chat_tenants(chat)` is a global index (another hash slot than the tenant's records): it
    is added before a record is created and again after, and removed after a record is gone
    and then checked, so every record is indexed; `tenants_of_chat` skips stale entries.
    """

    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock
        self._followers = redis.register_script(_FOLLOWERS)

    async def get(self, tid: str, chat_id: int) -> Subscription:
        h = await self._r.hgetall(keys.sub(tid, chat_id))
        if not h:
            raise NotFound(f"chat {chat_id} is not subscribed")
        return _sub(tid, h)

    async def find(self, tid: str, chat_id: int) -> Subscription | None:
        h = await self._r.hgetall(keys.sub(tid, chat_id))
        return _sub(tid, h) if h else None

    async def _set_status(
        self,
        tid: str,
        chat_id: int,
        decide: Callable[[Subscription | None], SubStatus],
        fields: dict[str, str] | None = None,
        *,
        creates: bool = False,
    ) -> tuple[Subscription, SubStatus | None]:
        """Apply `decide` to the current record atomically; returns (new, previous status).
        Only a `creates` change may make a new record (it maintains the chat's index)."""
        key = keys.sub(tid, chat_id)
        previous: list[SubStatus | None] = [None]

        async def body(pipe):
            h = await pipe.hgetall(key)
            current = _sub(tid, h) if h else None
            status = decide(current)
            previous[0] = current.status if current else None
            now = repr(self._clock())
            record = dict(fields or {})
            record["status"] = status.value
            if current is None:
                record.update(chat_id=str(chat_id), created_at=now, status_changed_at=now)
                record.setdefault("name", str(chat_id))
            elif current.status != status:
                record["status_changed_at"] = now
            pipe.multi()
            pipe.hset(key, mapping=record)
            if current is None:
                pipe.zadd(keys.subs(tid), {str(chat_id): float(now)})

        if creates:
            await self._r.sadd(keys.chat_tenants(chat_id), tid)
        await atomically(self._r, [key], body)
        if creates:
            await self._r.sadd(keys.chat_tenants(chat_id), tid)
        return await self.get(tid, chat_id), previous[0]

    async def activate(
        self, tid: str, chat_id: int, name: str, username: str | None = None
    ) -> tuple[Subscription, SubStatus | None]:
        """A user's /activate: subscribe or resume, unless an admin disabled this chat."""

        def decide(cur: Subscription | None) -> SubStatus:
            if cur is not None and cur.status is SubStatus.DISABLED:
                raise DisabledByAdmin(f"chat {chat_id} disabled by an admin of tenant {tid}")
            return SubStatus.ACTIVE

        fields = {"username": username or ""}
        current = await self.find(tid, chat_id)
        if current is None:
            fields["name"] = _clean_name(name) or str(chat_id)
        return await self._set_status(tid, chat_id, decide, fields, creates=True)

    async def mute(self, tid: str, chat_id: int) -> tuple[Subscription, SubStatus | None]:
        """A user's /mute: pause notifications of this tenant."""
        return await self._set_status(tid, chat_id, self._user_change(SubStatus.MUTED))

    async def resume(self, tid: str, chat_id: int) -> tuple[Subscription, SubStatus | None]:
        """A user's /active: resume notifications, unless an admin disabled this chat."""
        return await self._set_status(tid, chat_id, self._user_change(SubStatus.ACTIVE))

    @staticmethod
    def _user_change(target: SubStatus) -> Callable[[Subscription | None], SubStatus]:
        def decide(cur: Subscription | None) -> SubStatus:
            if cur is None:
                raise NotFound("not subscribed")
            if cur.status is SubStatus.DISABLED:
                raise DisabledByAdmin("disabled by an admin")
            return target

        return decide

    async def admin_set(
        self, tid: str, chat_id: int, enabled: bool
    ) -> tuple[Subscription, SubStatus | None]:
        """An admin's On/Off: active, or disabled (which the user cannot undo)."""
        target = SubStatus.ACTIVE if enabled else SubStatus.DISABLED

        def decide(cur: Subscription | None) -> SubStatus:
            if cur is None:
                raise NotFound("not subscribed")
            return target

        return await self._set_status(tid, chat_id, decide)

    async def admin_add(
        self, tid: str, chat_id: int, name: str
    ) -> tuple[Subscription, SubStatus | None]:
        """An admin adds a chat by id: active at once, no /activate needed."""
        clean = _clean_name(name)
        if not clean:
            raise InvalidInput("name must not be empty")
        return await self._set_status(
            tid, chat_id, lambda _: SubStatus.ACTIVE, {"name": clean}, creates=True
        )

    async def mark_unreachable(self, tid: str, chat_id: int) -> Subscription | None:
        """Telegram said the chat is gone or blocked the bot; kept until the user returns."""

        def decide(cur: Subscription | None) -> SubStatus:
            if cur is None:
                raise NotFound("not subscribed")
            if cur.status in (SubStatus.DISABLED, SubStatus.MUTED):
                return cur.status
            return SubStatus.UNREACHABLE

        try:
            sub, _ = await self._set_status(tid, chat_id, decide)
        except NotFound:
            return None
        return sub

    async def set_groups(
        self, tid: str, chat_id: int, groups: frozenset[str] | None
    ) -> Subscription:
        """Follow only `groups`, or every group when None."""
        await self.get(tid, chat_id)
        value = "" if groups is None else json.dumps(sorted(groups))
        await self._r.hset(keys.sub(tid, chat_id), "groups", value)
        return await self.get(tid, chat_id)

    async def rename(self, tid: str, chat_id: int, name: str) -> Subscription:
        clean = _clean_name(name)
        if not clean:
            raise InvalidInput("name must not be empty")
        await self.get(tid, chat_id)
        await self._r.hset(keys.sub(tid, chat_id), "name", clean)
        return await self.get(tid, chat_id)

    async def set_extension(self, tid: str, chat_id: int, extension: str) -> Subscription:
        """The PBX extension «Позвонить» rings for this subscriber ("" clears it)."""
        if extension and not EXTENSION.fullmatch(extension):
            raise InvalidInput("an extension is 2 to 16 digits")
        key = keys.sub(tid, chat_id)

        async def body(pipe) -> None:
            # Never a half record: the subscription may be removed meanwhile.
            if not await pipe.hget(key, "status"):
                raise NotFound(f"chat {chat_id} is not subscribed")
            pipe.multi()
            pipe.hset(key, "extension", extension)

        await atomically(self._r, [key], body)
        return await self.get(tid, chat_id)

    async def remove(self, tid: str, chat_id: int) -> bool:
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.delete(keys.sub(tid, chat_id))
            pipe.zrem(keys.subs(tid), str(chat_id))
            deleted, _ = await pipe.execute()
        await self._unindex(tid, chat_id)
        return bool(deleted)

    async def _unindex(self, tid: str, chat_id: int) -> None:
        await self._r.srem(keys.chat_tenants(chat_id), tid)
        # A subscription created meanwhile put the entry back before its record: keep it.
        if await self._r.exists(keys.sub(tid, chat_id)):
            await self._r.sadd(keys.chat_tenants(chat_id), tid)

    async def move_chat(self, tid: str, old_chat: int, new_chat: int) -> Subscription | None:
        """A group became a supergroup: the subscription follows it to its new chat id."""
        h = await self._r.hgetall(keys.sub(tid, old_chat))
        if not h:
            return None
        h["chat_id"] = str(new_chat)
        await self._r.sadd(keys.chat_tenants(new_chat), tid)
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.hset(keys.sub(tid, new_chat), mapping=h)
            pipe.zadd(keys.subs(tid), {str(new_chat): float(h["created_at"])})
            pipe.delete(keys.sub(tid, old_chat))
            pipe.zrem(keys.subs(tid), str(old_chat))
            await pipe.execute()
        await self._r.sadd(keys.chat_tenants(new_chat), tid)
        await self._unindex(tid, old_chat)
        return await self.get(tid, new_chat)

    async def list(self, tid: str, offset: int = 0, limit: int = 100) -> list[Subscription]:
        ids = await self._r.zrange(keys.subs(tid), offset, offset + limit - 1)
        async with self._r.pipeline(transaction=False) as pipe:
            for chat in ids:
                pipe.hgetall(keys.sub(tid, int(chat)))
            rows = await pipe.execute()
        return [_sub(tid, h) for h in rows if h]

    async def followers(self, tid: str, gid: str, *, page: int = FOLLOWERS_PAGE) -> list[int]:
        """Chat ids of the active subscriptions that follow group `gid`, in the index's order."""
        chats: list[int] = []
        seen: set[int] = set()
        offset = 0
        while True:
            ids = await self._r.zrange(keys.subs(tid), offset, offset + page - 1)
            if ids:
                found = await self._followers(
                    keys=[keys.sub(tid, int(chat)) for chat in ids], args=[gid]
                )
                # A page read while a subscription is removed shifts the next one: a chat
                # seen twice is kept once.
                for chat in map(int, found):
                    if chat not in seen:
                        seen.add(chat)
                        chats.append(chat)
            if len(ids) < page:
                return chats
            offset += page

    async def count(self, tid: str) -> int:
        return await self._r.zcard(keys.subs(tid))

    async def tenants_of_chat(self, chat_id: int) -> list[str]:
        """The tenants this chat has a subscription with (stale index entries skipped)."""
        tids = sorted(await self._r.smembers(keys.chat_tenants(chat_id)), key=int)
        if not tids:
            return []
        async with self._r.pipeline(transaction=False) as pipe:
            for tid in tids:
                pipe.exists(keys.sub(tid, chat_id))
            found = await pipe.execute()
        return [tid for tid, hit in zip(tids, found, strict=True) if hit]
