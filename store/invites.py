"""Invite codes: a /start deep link that subscribes a chat without the tenant's API key.

Only the code's SHA-256 is stored (the code is shown once, in the link). The record lives in
the tenant's slot; the global `invite_code(hash)` index, written before the record and
removed after it, finds the tenant of a code typed to the bot.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from store import keys
from store._tx import atomically
from store.crypto import INVITE_PREFIX, digest, looks_like, new_secret
from store.errors import InvalidInput, NotFound

MAX_USES = 100_000
MAX_HOURS = 24 * 365
KEEP = 200  # invites a tenant keeps (the oldest are forgotten first)
ID_LEN = 8  # hex characters of the hash that name an invite in lists and buttons


@dataclass(frozen=True, slots=True)
class Invite:
    tenant_id: str
    id: str  # the first ID_LEN hex characters of the code's hash: safe to show
    code_hash: str
    group: str | None
    uses_left: int
    uses: int
    expires_at: float
    revoked: bool
    created_at: float
    created_by: str

    def live(self, now: float) -> bool:
        return not self.revoked and self.uses_left > 0 and now < self.expires_at


class Refused(enum.StrEnum):
    """Why a code subscribes nobody (the bot says so, politely, and counts a failure)."""

    UNKNOWN = "unknown"
    USED_UP = "used_up"
    EXPIRED = "expired"
    REVOKED = "revoked"


def looks_like_invite(text: str) -> bool:
    return looks_like(INVITE_PREFIX, text)


def _invite(tid: str, h: dict[str, str]) -> Invite:
    return Invite(
        tenant_id=tid,
        id=h["hash"][:ID_LEN],
        code_hash=h["hash"],
        group=h.get("group") or None,
        uses_left=int(h["uses_left"]),
        uses=int(h.get("uses", 0)),
        expires_at=float(h["expires_at"]),
        revoked=h.get("revoked") == "1",
        created_at=float(h["created_at"]),
        created_by=h.get("created_by", ""),
    )


class Invites:
    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock

    async def create(
        self, tid: str, *, group: str | None, uses: int, hours: float, by: str = ""
    ) -> tuple[Invite, str]:
        """A new invite; returns it and its code (shown once, never stored)."""
        if not 1 <= uses <= MAX_USES:
            raise InvalidInput(f"uses must be 1 to {MAX_USES}")
        if not 0 < hours <= MAX_HOURS:
            raise InvalidInput(f"expiry must be more than 0 and at most {MAX_HOURS} hours")
        if not await self._r.exists(keys.tenant(tid)):
            raise NotFound(f"no tenant {tid}")
        if group is not None and not await self._r.hexists(keys.group(tid, group), "created_at"):
            raise NotFound(f"no group {group!r}")
        code = new_secret(INVITE_PREFIX)
        code_hash = digest(code)
        now = self._clock()
        record = {
            "hash": code_hash,
            "group": group or "",
            "uses_left": str(uses),
            "uses": "0",
            "expires_at": repr(now + hours * 3600),
            "revoked": "0",
            "created_at": repr(now),
            "created_by": by[:128],
        }
        await self._r.set(keys.invite_code(code_hash), tid)
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.hset(keys.invite(tid, code_hash), mapping=record)
            pipe.zadd(keys.invites(tid), {code_hash: now})
            await pipe.execute()
        await self._forget_oldest(tid)
        return _invite(tid, record), code

    async def _forget_oldest(self, tid: str) -> None:
        old = await self._r.zrange(keys.invites(tid), 0, -KEEP - 1)
        for code_hash in old:
            await self._drop(tid, code_hash)

    async def _drop(self, tid: str, code_hash: str) -> None:
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.delete(keys.invite(tid, code_hash))
            pipe.zrem(keys.invites(tid), code_hash)
            await pipe.execute()
        await self._r.delete(keys.invite_code(code_hash))

    async def list(self, tid: str) -> list[Invite]:
        """Newest first."""
        hashes = await self._r.zrevrange(keys.invites(tid), 0, -1)
        async with self._r.pipeline(transaction=False) as pipe:
            for code_hash in hashes:
                pipe.hgetall(keys.invite(tid, code_hash))
            rows = await pipe.execute()
        return [_invite(tid, h) for h in rows if h]

    async def find(self, tid: str, ref: str) -> Invite:
        """The invite a code or an invite id (from `list`) names; NotFound otherwise."""
        wanted = digest(ref) if looks_like_invite(ref) else ref.lower()
        for inv in await self.list(tid):
            if hmac.compare_digest(inv.code_hash, wanted) or (
                len(wanted) == ID_LEN and inv.id == wanted
            ):
                return inv
        raise NotFound(f"no invite {ref[:ID_LEN]}… for tenant {tid}")

    async def revoke(self, tid: str, ref: str) -> Invite:
        inv = await self.find(tid, ref)
        await self._r.hset(keys.invite(tid, inv.code_hash), "revoked", "1")
        return await self.find(tid, inv.id)

    async def tenant_of(self, code: str) -> str | None:
        if not looks_like_invite(code):
            return None
        return await self._r.get(keys.invite_code(digest(code)))

    async def redeem(self, tid: str, code: str, *, consume: bool = True) -> Invite | Refused:
        """Take one use of the code (atomically), or say why it cannot be used; with
        `consume=False`, only check that it is neither revoked nor expired."""
        code_hash = digest(code)
        key = keys.invite(tid, code_hash)
        now = self._clock()

        async def body(pipe) -> Invite | Refused:
            h = await pipe.hgetall(key)
            if not h or not hmac.compare_digest(h["hash"], code_hash):
                return Refused.UNKNOWN
            inv = _invite(tid, h)
            if inv.revoked:
                return Refused.REVOKED
            if now >= inv.expires_at:
                return Refused.EXPIRED
            # Without `consume` (a chat already subscribed taps the link again) no use is taken,
            # so none needs to be left.
            if consume and inv.uses_left <= 0:
                return Refused.USED_UP
            if consume:
                pipe.multi()
                pipe.hincrby(key, "uses_left", -1)
                pipe.hincrby(key, "uses", 1)
            return inv

        return await atomically(self._r, [key], body)

    async def remove_tenant(self, tid: str) -> None:
        for code_hash in await self._r.zrange(keys.invites(tid), 0, -1):
            await self._drop(tid, code_hash)
