"""Optimistic transactions: WATCH the keys, read, queue the writes, EXEC, retry on a race.

On a Redis Cluster a transaction may touch one hash slot only: every caller passes keys of
one tenant (`{t<id>}`), and writes to global indexes happen in separate steps around it.
On a Cluster the transaction runs on an ordinary client of the slot's master
(`GatedCluster.transaction_client`): redis-py's cluster transaction would run every command in
a thread of its own and block the event loop meanwhile. A slot that moved answers MOVED (or
ASK, or the node is gone): the slot map is read again and the transaction retried.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import (
    AskError,
    ClusterDownError,
    ConnectionError,
    ResponseError,
    TryAgainError,
    WatchError,
)

from store.client import GatedCluster

T = TypeVar("T")
MAX_ATTEMPTS = 50


async def atomically(redis: Redis, keys: list[str], body: Callable[[Pipeline], Awaitable[T]]) -> T:
    """Run `body` under WATCH of `keys`; `body` reads, calls `pipe.multi()`, queues writes."""
    for _ in range(MAX_ATTEMPTS):
        target = await tx_client(redis, keys[0])
        async with target.pipeline(transaction=True) as pipe:
            sent = False
            try:
                await pipe.watch(*keys)
                result = await body(pipe)
                # Writes were queued only if the body called multi(); a read-only body is done.
                if len(pipe):
                    sent = True
                    await pipe.execute()
                return result
            except WatchError:
                continue
            except (ResponseError, ConnectionError) as exc:
                # A connection lost during EXEC may have applied it: never tried again here.
                lost_exec = sent and isinstance(exc, ConnectionError)
                if lost_exec or not await slot_moved(redis, target, exc):
                    raise
    raise RuntimeError(f"transaction on {len(keys)} keys kept racing; gave up")


async def tx_client(redis: Redis, key: str) -> Redis:
    """The client to run a transaction on `key`'s slot with: on a Cluster, its master's."""
    if isinstance(redis, GatedCluster):
        return await redis.transaction_client(key)
    return redis


async def slot_moved(redis: Redis, used: Redis, exc: Exception) -> bool:
    """True when `exc` says the slot is served elsewhere now (the map is then re-read): the
    transaction, which changed nothing, may be tried again."""
    if used is redis or not isinstance(redis, GatedCluster):
        return False
    moved = (AskError, ClusterDownError, TryAgainError)  # MovedError is an AskError
    if isinstance(exc, ResponseError) and not isinstance(exc, moved):
        return False
    await redis.forget_slots(used)
    return True
