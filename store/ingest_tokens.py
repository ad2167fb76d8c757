"""Ingest tokens: one revocable credential per PBX, so no PBX holds the tenant's API key.

Only the token's SHA-256 is stored; the global `ingest_token(hash)` index names the tenant
and the token's name, and the record in the tenant's slot says whether it is still live.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from store import keys
from store.crypto import INGEST_TOKEN_PREFIX, digest, display_prefix, looks_like, new_secret
from store.errors import InvalidInput, NotFound, TokenTaken
from store.models import Tenant
from store.tenants import Tenants

NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")


@dataclass(frozen=True, slots=True)
class IngestToken:
    tenant_id: str
    name: str
    prefix: str
    revoked: bool
    created_at: float


def looks_like_ingest_token(text: str) -> bool:
    return looks_like(INGEST_TOKEN_PREFIX, text)


def _token(tid: str, h: dict[str, str]) -> IngestToken:
    return IngestToken(tid, h["name"], h["prefix"], h.get("revoked") == "1", float(h["created_at"]))


class IngestTokens:
    def __init__(self, redis: Redis, clock: Callable[[], float], tenants: Tenants) -> None:
        self._r = redis
        self._clock = clock
        self._tenants = tenants

    async def create(self, tid: str, name: str) -> tuple[IngestToken, str]:
        """A new token named `name` (unique in the tenant); returns it and the token (once)."""
        if not NAME.fullmatch(name):
            raise InvalidInput("token name must be 1 to 32 of A-Z a-z 0-9 _ . -")
        if not await self._r.exists(keys.tenant(tid)):
            raise NotFound(f"no tenant {tid}")
        if await self._r.exists(keys.ingest_token_of(tid, name)):
            raise TokenTaken(f"tenant {tid} already has a token named {name!r}")
        token = new_secret(INGEST_TOKEN_PREFIX, 24)
        token_hash = digest(token)
        now = self._clock()
        record = {
            "name": name,
            "hash": token_hash,
            "prefix": display_prefix(token),
            "revoked": "0",
            "created_at": repr(now),
        }
        await self._r.set(keys.ingest_token(token_hash), f"{tid}:{name}")
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.hset(keys.ingest_token_of(tid, name), mapping=record)
            pipe.zadd(keys.ingest_tokens(tid), {name: now})
            await pipe.execute()
        return _token(tid, record), token

    async def list(self, tid: str) -> list[IngestToken]:
        names = await self._r.zrange(keys.ingest_tokens(tid), 0, -1)
        async with self._r.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.hgetall(keys.ingest_token_of(tid, name))
            rows = await pipe.execute()
        return [_token(tid, h) for h in rows if h]

    async def revoke(self, tid: str, name: str) -> IngestToken:
        """The token stops authenticating at once (the ingest cache aside: about a second)."""
        key = keys.ingest_token_of(tid, name)
        token_hash = await self._r.hget(key, "hash")
        if token_hash is None:
            raise NotFound(f"no ingest token {name!r} for tenant {tid}")
        await self._r.hset(key, "revoked", "1")
        await self._r.delete(keys.ingest_token(token_hash))
        return _token(tid, await self._r.hgetall(key))

    async def resolve(self, token: str) -> tuple[Tenant, str] | None:
        """(tenant, token name) of a live token, else None; constant-time on the stored hash."""
        if not looks_like_ingest_token(token):
            return None
        token_hash = digest(token)
        ref = await self._r.get(keys.ingest_token(token_hash))
        if ref is None:
            return None
        tid, name = ref.split(":", 1)
        h = await self._r.hgetall(keys.ingest_token_of(tid, name))
        if not h or h.get("revoked") == "1" or not hmac.compare_digest(h["hash"], token_hash):
            return None
        try:
            return await self._tenants.get(tid), name
        except NotFound:
            return None

    async def remove_tenant(self, tid: str) -> None:
        for name in await self._r.zrange(keys.ingest_tokens(tid), 0, -1):
            h = await self._r.hgetall(keys.ingest_token_of(tid, name))
            await self._r.delete(keys.ingest_token_of(tid, name))
            if h.get("hash"):
                await self._r.delete(keys.ingest_token(h["hash"]))
        await self._r.delete(keys.ingest_tokens(tid))
