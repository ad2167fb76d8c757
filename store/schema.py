"""The schema version stored in Redis and the migrations that bring old data up to date."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from store import keys
from store.errors import SchemaTooNew

log = logging.getLogger(__name__)

Migration = Callable[[Redis], Awaitable[None]]

# version reached -> the step that reaches it from the version before; append, never edit.
MIGRATIONS: dict[int, Migration] = {}
SCHEMA_VERSION = 2


async def _initial(redis: Redis) -> None:
    """Version 1 is the first layout: nothing to convert."""


MIGRATIONS[1] = _initial


async def _ami_dialers(redis: Redis) -> None:
    """Version 2: each tenant's index of its AMI links that may place calls."""
    for aid, raw in (await redis.hgetall(keys.AMI)).items():
        d = json.loads(raw)
        if d.get("dial"):
            await redis.sadd(keys.ami_dialers(d["tenant_id"]), aid)


MIGRATIONS[2] = _ami_dialers


async def migrate(redis: Redis) -> int:
    """Run every migration the database has not seen yet; returns the version it ends at."""
    current = int(await redis.get(keys.SCHEMA) or 0)
    if current > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the database is at schema {current}, this Perezvon knows up to {SCHEMA_VERSION}"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        log.info("migrating the store to schema %d", version)
        await MIGRATIONS[version](redis)
        await redis.set(keys.SCHEMA, version)
    return SCHEMA_VERSION
