"""The audit log of admin actions: who, what, when; the last KEEP entries of each tenant."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from store import keys

KEEP = 1000
CLI = "cli"
# The "tenant" of the service-wide entries (tenant ids are numbers, so it names no tenant).
SERVICE = "service"


def _key(tid: str) -> str:
    return keys.SERVICE_AUDIT if tid == SERVICE else keys.audit(tid)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: a Telegram user (id and name) or the operator's command line."""

    user_id: int | None = None
    name: str = CLI

    @classmethod
    def cli(cls) -> Actor:
        return cls(None, CLI)


@dataclass(frozen=True, slots=True)
class Entry:
    at: float
    user_id: int | None
    name: str
    action: str
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {
            "at": self.at,
            "user_id": self.user_id,
            "name": self.name,
            "action": self.action,
            "detail": self.detail,
        }


class Audit:
    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock

    async def record(self, tid: str, actor: Actor, action: str, detail: str = "") -> None:
        """Append one entry to a tenant's log, or the service's (`SERVICE`); never a secret in
        `detail`: callers pass names and ids only."""
        entry = {
            "at": self._clock(),
            "user_id": actor.user_id,
            "name": actor.name[:128],
            "action": action,
            "detail": detail[:256],
        }
        key = _key(tid)
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.lpush(key, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(key, 0, KEEP - 1)
            await pipe.execute()

    async def recent(self, tid: str, offset: int = 0, limit: int = 100) -> list[Entry]:
        """Newest first."""
        rows = await self._r.lrange(_key(tid), offset, offset + limit - 1)
        return [Entry(**json.loads(row)) for row in rows]

    async def count(self, tid: str) -> int:
        return await self._r.llen(_key(tid))
