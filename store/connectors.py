"""Cloud PBX connectors of a tenant: vendor, options (secrets sealed at rest), last activity."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from redis.asyncio import Redis

from store import keys
from store.crypto import SecretBox
from store.errors import InvalidInput, NotFound

MAX_REASON = 200


@dataclass(frozen=True, slots=True)
class Connector:
    id: str
    tenant_id: str
    vendor: str
    created_at: float
    options: Mapping[str, str] = field(repr=False)  # secrets in clear: never print this
    allow_ip: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Status:
    last_event_at: float | None = None
    last_event: str | None = None
    last_rejected_at: float | None = None
    last_rejected: str | None = None


class Connectors:
    """Each connector's id is its unguessable URL path segment and its index key."""

    def __init__(self, redis: Redis, box: SecretBox, clock: Callable[[], float] = time.time):
        self._r = redis
        self._box = box
        self._clock = clock

    def _load(self, raw: str | bytes) -> Connector:
        d = json.loads(raw)
        sealed = set(d.get("sealed", ()))
        opts = {k: self._box.open(v) if k in sealed else v for k, v in d["options"].items()}
        return Connector(
            id=d["id"],
            tenant_id=d["tenant_id"],
            vendor=d["vendor"],
            created_at=d["created_at"],
            options=opts,
            allow_ip=tuple(d.get("allow_ip", ())),
        )

    async def add(
        self,
        tid: str,
        vendor: str,
        options: Mapping[str, str],
        *,
        secret_names: Iterable[str] = (),
        allow_ip: Iterable[str] = (),
    ) -> Connector:
        if not await self._r.exists(keys.tenant(tid)):
            raise NotFound(f"no tenant {tid}")
        if not vendor:
            raise InvalidInput("a vendor is required")
        cid = secrets.token_urlsafe(18)
        sealed = sorted(set(secret_names) & set(options))
        record = {
            "id": cid,
            "tenant_id": tid,
            "vendor": vendor,
            "created_at": self._clock(),
            "options": {k: self._box.seal(v) if k in sealed else v for k, v in options.items()},
            "sealed": sealed,
            "allow_ip": list(allow_ip),
        }
        raw = json.dumps(record)
        # Record, then index: the URL works only once the record it leads to exists.
        await self._r.hset(keys.connectors(tid), cid, raw)
        await self._r.set(keys.connector(cid), tid)
        await self._changed()
        return self._load(raw)

    async def get(self, cid: str) -> Connector:
        tid = await self._r.get(keys.connector(cid))
        raw = await self._r.hget(keys.connectors(tid), cid) if tid is not None else None
        if raw is None:
            raise NotFound(f"no connector {cid}")
        return self._load(raw)

    async def list(self, tid: str) -> list[Connector]:
        rows = await self._r.hgetall(keys.connectors(tid))
        return sorted((self._load(v) for v in rows.values()), key=lambda c: c.created_at)

    async def remove(self, cid: str) -> bool:
        tid = await self._r.get(keys.connector(cid))
        if tid is None:
            return False
        # The tenant's keys share a slot, the index does not: the record goes first, so a
        # crash in between leaves an index entry that `get` already reports as not found.
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.hdel(keys.connectors(tid), cid)
            pipe.delete(keys.connector_status(tid, cid))
            await pipe.execute()
        await self._r.delete(keys.connector(cid))
        await self._changed()
        return True

    async def version(self) -> int:
        """Changes so far to any tenant's connectors; the same number means `get` is too."""
        return int(await self._r.get(keys.CONNECTORS_VERSION) or 0)

    async def _changed(self) -> None:
        # Counted after the change, so a reader that saw the new count sees the change.
        await self._r.incr(keys.CONNECTORS_VERSION)

    async def note_event(self, c: Connector, what: str) -> None:
        await self._r.hset(
            keys.connector_status(c.tenant_id, c.id),
            mapping={"last_event_at": self._clock(), "last_event": what[:MAX_REASON]},
        )

    async def note_rejected(self, c: Connector, reason: str) -> None:
        await self._r.hset(
            keys.connector_status(c.tenant_id, c.id),
            mapping={"last_rejected_at": self._clock(), "last_rejected": reason[:MAX_REASON]},
        )

    async def status(self, c: Connector) -> Status:
        d = await self._r.hgetall(keys.connector_status(c.tenant_id, c.id))
        d = {(k.decode() if isinstance(k, bytes) else k): v for k, v in d.items()}

        def text(name: str) -> str | None:
            v = d.get(name)
            return v.decode() if isinstance(v, bytes) else v

        def stamp(name: str) -> float | None:
            v = text(name)
            return float(v) if v is not None else None

        return Status(
            last_event_at=stamp("last_event_at"),
            last_event=text("last_event"),
            last_rejected_at=stamp("last_rejected_at"),
            last_rejected=text("last_rejected"),
        )
