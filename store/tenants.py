"""Tenants: creation, lookup by API key in O(1), key rotation, deletion."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redis.asyncio import Redis

from store import keys
from store._tx import atomically
from store.crypto import digest, display_prefix, looks_like_api_key, new_api_key
from store.errors import InvalidInput, NotFound
from store.models import DEFAULT_GROUP, Tenant

LANGS = ("ru", "en")


def _validate(name: str, tz: str, lang: str) -> None:
    if not name.strip() or len(name) > 128:
        raise InvalidInput("name must be 1 to 128 characters")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz!r}") from exc
    if lang not in LANGS:
        raise InvalidInput(f"language must be one of {', '.join(LANGS)}")


def _tenant(h: dict[str, str]) -> Tenant:
    return Tenant(
        id=h["id"],
        name=h["name"],
        tz=h["tz"],
        lang=h["lang"],
        key_prefix=h["key_prefix"],
        created_at=float(h["created_at"]),
        new_groups=h.get("new_groups") == "1",
        key_activation=h.get("key_activation", "1") == "1",
        escalate_after=int(h.get("escalate_after") or 15),
        callback_window=int(h.get("callback_window") or 24),
    )


class Tenants:
    """The tenant records and the API-key index."""

    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock

    async def create(
        self, name: str, tz: str, lang: str, *, new_groups: bool = True
    ) -> tuple[Tenant, str]:
        """Create a tenant with its default group; returns it and its API key (shown once).

        `new_groups`: groups the PBX names later notify at once (the default: a new company's
        calls arrive whatever its PBX calls its queues), or start switched off."""
        _validate(name, tz, lang)
        tid = str(await self._r.incr(keys.TENANT_SEQ))
        api_key = new_api_key()
        now = self._clock()
        record = {
            "id": tid,
            "name": name.strip(),
            "tz": tz,
            "lang": lang,
            "key_hash": digest(api_key),
            "key_prefix": display_prefix(api_key),
            "created_at": repr(now),
            "new_groups": "1" if new_groups else "0",
        }
        # Global indexes first: each points at a record that may not exist yet, and readers
        # check the record, so an interruption leaves only an entry that resolves to nothing.
        await self._r.set(keys.api_key(record["key_hash"]), tid)
        await self._r.zadd(keys.TENANTS, {tid: int(tid)})
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.hset(keys.tenant(tid), mapping=record)
            pipe.hset(
                keys.group(tid, DEFAULT_GROUP),
                mapping={"id": DEFAULT_GROUP, "name": "", "notify": "1", "created_at": repr(now)},
            )
            pipe.zadd(keys.groups(tid), {DEFAULT_GROUP: now})
            await pipe.execute()
        return _tenant(record), api_key

    async def get(self, tid: str) -> Tenant:
        h = await self._r.hgetall(keys.tenant(tid))
        if not h:
            raise NotFound(f"no tenant {tid}")
        return _tenant(h)

    async def exists(self, tid: str) -> bool:
        return bool(await self._r.exists(keys.tenant(tid)))

    async def list(self, offset: int = 0, limit: int = 100) -> list[Tenant]:
        ids = await self._r.zrange(keys.TENANTS, offset, offset + limit - 1)
        async with self._r.pipeline(transaction=False) as pipe:
            for tid in ids:
                pipe.hgetall(keys.tenant(tid))
            rows = await pipe.execute()
        return [_tenant(h) for h in rows if h]

    async def count(self) -> int:
        return await self._r.zcard(keys.TENANTS)

    async def resolve_key(self, api_key: str) -> Tenant | None:
        """The tenant whose current key this is, or None; constant-time on the stored hash."""
        if not looks_like_api_key(api_key):
            return None
        key_hash = digest(api_key)
        tid = await self._r.get(keys.api_key(key_hash))
        if tid is None:
            return None
        h = await self._r.hgetall(keys.tenant(tid))
        if not h or not hmac.compare_digest(h["key_hash"], key_hash):
            return None
        return _tenant(h)

    async def rotate_key(self, tid: str) -> tuple[Tenant, str]:
        """Replace the API key; the old one stops resolving at once.

        Three single-slot steps: the new index entry (it resolves only once the record holds
        its hash), the record (the switch itself), the old entry removed last.
        """
        api_key = new_api_key()
        new_hash = digest(api_key)
        if not await self.exists(tid):
            raise NotFound(f"no tenant {tid}")
        await self._r.set(keys.api_key(new_hash), tid)

        async def body(pipe) -> str:
            old_hash = await pipe.hget(keys.tenant(tid), "key_hash")
            if old_hash is None:
                raise NotFound(f"no tenant {tid}")
            pipe.multi()
            pipe.hset(
                keys.tenant(tid),
                mapping={"key_hash": new_hash, "key_prefix": display_prefix(api_key)},
            )
            return old_hash

        try:
            old_hash = await atomically(self._r, [keys.tenant(tid)], body)
        except NotFound:
            await self._r.delete(keys.api_key(new_hash))
            raise
        await self._r.delete(keys.api_key(old_hash))
        return await self.get(tid), api_key

    async def set_options(
        self,
        tid: str,
        *,
        name: str | None = None,
        tz: str | None = None,
        lang: str | None = None,
        new_groups: bool | None = None,
        key_activation: bool | None = None,
        escalate_after: int | None = None,
        callback_window: int | None = None,
    ) -> Tenant:
        """Change some of a tenant's settings (None leaves one as it is); validated first."""
        current = await self.get(tid)
        _validate(current.name if name is None else name, tz or current.tz, lang or current.lang)
        changes = {k: v for k, v in (("tz", tz), ("lang", lang)) if v}
        if name is not None:
            changes["name"] = name.strip()
        if new_groups is not None:
            changes["new_groups"] = "1" if new_groups else "0"
        if key_activation is not None:
            changes["key_activation"] = "1" if key_activation else "0"
        if escalate_after is not None:
            if not 0 <= escalate_after <= 24 * 60:
                raise InvalidInput("escalate-after must be 0 to 1440 minutes (0 = off)")
            changes["escalate_after"] = str(escalate_after)
        if callback_window is not None:
            if not 1 <= callback_window <= 24 * 30:
                raise InvalidInput("callback-window must be 1 to 720 hours")
            changes["callback_window"] = str(callback_window)
        if changes:
            # Only an existing record is changed: a tenant deleted meanwhile stays deleted.
            async def body(pipe) -> None:
                if not await pipe.exists(keys.tenant(tid)):
                    raise NotFound(f"no tenant {tid}")
                pipe.multi()
                pipe.hset(keys.tenant(tid), mapping=changes)

            await atomically(self._r, [keys.tenant(tid)], body)
        return await self.get(tid)
