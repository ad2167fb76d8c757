"""Call groups of a tenant and their «notify on missed calls» flag."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from redis.asyncio import Redis

from store import keys
from store._tx import atomically
from store.errors import InvalidInput, NotFound
from store.intake import GroupNewEntry, IntakeIndex, append
from store.models import Group

MAX_GROUP_ID = 64
# Calls ignored because their group does not notify are counted per UTC day, for a week.
IGNORED_DAYS = 7
DAY = 86_400


def _group(tid: str, h: dict[str, str]) -> Group:
    return Group(
        tenant_id=tid,
        id=h["id"],
        name=h.get("name", ""),
        notify=h.get("notify") == "1",
        created_at=float(h["created_at"]),
        escalation_chat=int(h.get("escalation_chat") or 0),
    )


def _check_id(gid: str) -> None:
    if not gid or len(gid) > MAX_GROUP_ID or any(c.isspace() or c == ":" for c in gid):
        raise InvalidInput("group id must be 1 to 64 characters without spaces or ':'")


class Groups:
    """The groups of each tenant, paged in creation order."""

    def __init__(
        self, redis: Redis, clock: Callable[[], float], intake: IntakeIndex | None = None
    ) -> None:
        self._r = redis
        self._clock = clock
        self._intake = intake or IntakeIndex(redis)

    async def ensure(
        self, tid: str, gid: str, name: str = "", *, notify: bool = False, announce: bool = False
    ) -> tuple[Group, bool]:
        """The group, created with `notify` if it did not exist; True when it was created.

        Creation is one transaction: the record, its index entry and (with `announce`) the
        news for the tenant's admins land together or not at all.
        """
        _check_id(gid)
        key = keys.group(tid, gid)

        async def body(pipe) -> bool:
            # A record without created_at is a creation that never finished: redo it.
            if await pipe.hexists(key, "created_at"):
                return False
            now = self._clock()
            pipe.multi()
            pipe.hset(
                key,
                mapping={
                    "id": gid,
                    "name": name[:256],
                    "notify": "1" if notify else "0",
                    "created_at": repr(now),
                },
            )
            pipe.zadd(keys.groups(tid), {gid: now})
            if announce:
                append(GroupNewEntry(tid, gid), pipe)
            return True

        created = await atomically(self._r, [key], body)
        if created and announce:
            await self._intake.mark([tid])
        return await self.get(tid, gid), created

    async def get(self, tid: str, gid: str) -> Group:
        h = await self._r.hgetall(keys.group(tid, gid))
        if not h or "created_at" not in h:
            raise NotFound(f"no group {gid!r}")
        return _group(tid, h)

    async def list(self, tid: str, offset: int = 0, limit: int = 100) -> list[Group]:
        ids = await self._r.zrange(keys.groups(tid), offset, offset + limit - 1)
        async with self._r.pipeline(transaction=False) as pipe:
            for gid in ids:
                pipe.hgetall(keys.group(tid, gid))
            rows = await pipe.execute()
        return [_group(tid, h) for h in rows if h and "created_at" in h]

    async def count(self, tid: str) -> int:
        return await self._r.zcard(keys.groups(tid))

    async def set_notify(self, tid: str, gid: str, notify: bool) -> tuple[Group, bool]:
        """Set the flag; True when it actually changed."""
        before = await self.get(tid, gid)
        if before.notify == notify:
            return before, False
        await self._r.hset(keys.group(tid, gid), "notify", "1" if notify else "0")
        return await self.get(tid, gid), True

    async def set_escalation_chat(self, tid: str, gid: str, chat: int) -> Group:
        """The chat that also gets this group's escalations (0: only the admins)."""
        if abs(chat) >= 10**15:
            raise InvalidInput("not a Telegram chat id")
        key = keys.group(tid, gid)

        async def body(pipe) -> None:
            if not await pipe.hexists(key, "created_at"):
                raise NotFound(f"no group {gid!r}")
            pipe.multi()
            pipe.hset(key, "escalation_chat", str(chat))

        await atomically(self._r, [key], body)
        return await self.get(tid, gid)

    async def rename(self, tid: str, gid: str, name: str) -> Group:
        await self.get(tid, gid)
        await self._r.hset(keys.group(tid, gid), "name", name.strip()[:256])
        return await self.get(tid, gid)

    async def note_ignored(self, tid: str, counts: Mapping[str, int]) -> None:
        """Count calls ignored because their group does not notify (one round trip).

        A hash per group, one field per UTC day; the key outlives its last write by a week
        and a day, so a group nobody calls any more costs nothing after that."""
        day = str(int(self._clock() // DAY))
        ttl = (IGNORED_DAYS + 1) * DAY
        async with self._r.pipeline(transaction=False) as pipe:
            for gid, n in counts.items():
                pipe.hincrby(keys.group_ignored(tid, gid), day, n)
                pipe.expire(keys.group_ignored(tid, gid), ttl)
            await pipe.execute()

    async def ignored_this_week(self, tid: str, gids: Sequence[str]) -> dict[str, int]:
        """Per group, the calls ignored in the last 7 UTC days (today included)."""
        first = int(self._clock() // DAY) - IGNORED_DAYS + 1
        async with self._r.pipeline(transaction=False) as pipe:
            for gid in gids:
                pipe.hgetall(keys.group_ignored(tid, gid))
            rows = await pipe.execute()
        return {
            gid: sum(int(n) for day, n in row.items() if int(day) >= first)
            for gid, row in zip(gids, rows, strict=True)
        }
