"""Files a FILE job sends (a report's chart, a CSV), kept by content under the tenant's tag
with a TTL, apart from the job: a fan-out to many admins copies the key, not the bytes."""

from __future__ import annotations

import base64
import binascii
import hashlib

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from store import keys

# A file is kept this long for its jobs (the longest a job may wait, delivery/policy.py).
FILE_TTL = 86_400 + 3600


def file_key(tid: str, data: bytes) -> str:
    """Where the tenant's file is kept: by its content, so a repeat writes the same key."""
    return keys.upload(tid, hashlib.sha256(data).hexdigest()[:32])


class Uploads:
    def __init__(self, redis: Redis) -> None:
        self._r = redis

    @staticmethod
    def keep_in(pipe: Pipeline, tid: str, data: bytes) -> str:
        """Queue the write in `pipe` (a MULTI over the tenant's slot); returns the key."""
        key = file_key(tid, data)
        # base64: the store's client decodes replies as text
        pipe.set(key, base64.b64encode(data).decode("ascii"), ex=FILE_TTL)
        return key

    async def keep(self, tid: str, data: bytes) -> str:
        """Keep a file for the FILE jobs about to be queued; returns its key."""
        async with self._r.pipeline(transaction=False) as pipe:
            key = self.keep_in(pipe, tid, data)
            await pipe.execute()
        return key

    async def load(self, tid: str, key: str) -> bytes | None:
        """The bytes, or None when they expired (or `key` is not a file of this tenant)."""
        if not key.startswith(keys.upload(tid, "")):
            return None
        raw = await self._r.get(key)
        if raw is None:
            return None
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return None
