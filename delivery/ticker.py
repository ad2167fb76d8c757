"""The loop of a worker's periodic duty (digests, weekly reports, the silent-PBX watch)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError

from delivery.redact import redact


async def run_ticks(
    what: str,
    tick: Callable[[], Awaitable[object]],
    every: float,
    stopping: Callable[[], bool],
    log: logging.Logger,
) -> None:
    """`tick()` every `every` s until `stopping()`; a failed tick is logged (one line when
    Redis is away) and the next one comes as usual: the state is in Redis, nothing is lost."""
    while not stopping():
        try:
            await tick()
        except asyncio.CancelledError:
            raise
        except (RedisError, OSError) as exc:
            log.warning("%s: Redis unavailable (%s); retrying", what, redact(str(exc)))
        except Exception:
            log.exception("%s: a tick failed; trying again later", what)
        await asyncio.sleep(every)
