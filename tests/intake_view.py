"""What tests read of the intake: every tenant's stream, in tenant order, as raw fields."""

from __future__ import annotations

from redis.asyncio import Redis

from store import keys


async def intake_fields(redis: Redis, tid: str | None = None) -> list[dict[str, str]]:
    """The fields of every entry in the stream of `tid` (of every tenant when None)."""
    tids = [tid] if tid is not None else await redis.zrange(keys.TENANTS, 0, -1)
    found: list[dict[str, str]] = []
    for t in tids:
        found += [fields for _, fields in await redis.xrange(keys.intake(t))]
    return found
