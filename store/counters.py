"""The shared counters and latency buckets behind /metrics: every process adds, any reads."""

from __future__ import annotations

from collections.abc import Mapping

from redis.asyncio import Redis

from store import keys


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Counters:
    """Two hashes: counter (with labels) -> count, and latency bucket -> count."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def add(self, counters: Mapping[str, int], buckets: Mapping[str, int]) -> None:
        """Add a process's pending counts, in one round trip."""
        if not counters and not buckets:
            return
        async with self._r.pipeline(transaction=False) as pipe:
            for name, value in counters.items():
                pipe.hincrby(keys.METRICS_COUNTERS, name, value)
            for bucket, value in buckets.items():
                pipe.hincrby(keys.METRICS_LATENCY, bucket, value)
            await pipe.execute()

    async def read(self) -> tuple[dict[str, str], dict[str, str]]:
        """(counters, latency buckets) as every process has added them up."""
        async with self._r.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.METRICS_COUNTERS)
            pipe.hgetall(keys.METRICS_LATENCY)
            counters, buckets = await pipe.execute()
        return (
            {_text(k): _text(v) for k, v in counters.items()},
            {_text(k): _text(v) for k, v in buckets.items()},
        )
