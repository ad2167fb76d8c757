"""Optimistic transactions: WATCH the keys, read, queue the writes, EXEC, retry on a race.

On a Redis Cluster a transaction may touch one hash slot only: every caller passes keys of
one tenant (`{t<id>}`), and writes to global indexes happen in separate steps around it.
Reads in a body must not be EXISTS, DEL, TOUCH or UNLINK: redis-py's cluster pipeline splits
those by slot and, while WATCHing, never runs them (HEXISTS, GET, HGET... are fine).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

T = TypeVar("T")
MAX_ATTEMPTS = 50


async def atomically(redis: Redis, keys: list[str], body: Callable[[Pipeline], Awaitable[T]]) -> T:
    """Run `body` under WATCH of `keys`; `body` reads, calls `pipe.multi()`, queues writes."""
    for _ in range(MAX_ATTEMPTS):
        async with redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(*keys)
                result = await body(pipe)
                # Writes were queued only if the body called multi(); a read-only body is done.
                if len(pipe):
                    await pipe.execute()
                return result
            except WatchError:
                continue
    raise RuntimeError(f"transaction on {len(keys)} keys kept racing; gave up")
