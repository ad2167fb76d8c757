"""Fixtures shared by every test: Redis backends (fake and real) and a store over each.

`redis` runs a test on every backend `redis_backend` names: by default fakeredis and one real
Redis; a folder (or module) that must also hold on a Redis Cluster and behind Sentinel
overrides `redis_backend` with `ALL_BACKENDS` (see tests/store/conftest.py). The cluster and
the Sentinel set start once, on first use, from the redis-server binary.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import fakeredis
import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from perezvon.embedded_redis import EmbeddedRedis
from perezvon.local_redis import LocalCluster, LocalSentinelSet
from store import Store, connect
from store.crypto import SecretBox

REPO = Path(__file__).resolve().parents[1]
TEST_SECRET = "test-secret-key-not-for-production"
DEFAULT_BACKENDS = ["fakeredis", "real-redis"]
ALL_BACKENDS = [*DEFAULT_BACKENDS, "cluster", "sentinel"]


@pytest.fixture(scope="session")
def real_redis_url() -> Iterator[str]:
    """REDIS_URL when set (its database is flushed!), else an embedded server of our own."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="pz-redis-") as tmp:
        server = EmbeddedRedis(Path(tmp), appendfsync="everysec")
        yield server.start()
        server.stop()


@pytest.fixture(scope="session")
def cluster_url() -> Iterator[str]:
    """A real 3-master Redis Cluster on loopback, started on first use."""
    cluster = LocalCluster().start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def sentinel_url() -> Iterator[str]:
    """A real primary, replica and three sentinels on loopback, started on first use."""
    sentinels = LocalSentinelSet().start()
    try:
        yield sentinels.url
    finally:
        sentinels.stop()


BACKEND_URLS = {
    "real-redis": "real_redis_url",
    "cluster": "cluster_url",
    "sentinel": "sentinel_url",
}


@pytest.fixture(params=DEFAULT_BACKENDS)
def redis_backend(request: pytest.FixtureRequest) -> str:
    """Which backends `redis` runs on; override with params=ALL_BACKENDS to add more."""
    return request.param


@pytest.fixture
async def redis(redis_backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Redis]:
    """Each test using it runs on every backend of `redis_backend`, flushed first."""
    if redis_backend == "fakeredis":
        client = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer(), decode_responses=True)
    else:
        client = connect(request.getfixturevalue(BACKEND_URLS[redis_backend]))
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


async def all_keys(redis: Redis, pattern: str = "*") -> list[str]:
    """KEYS over every node (a cluster answers KEYS from one node unless told otherwise)."""
    if isinstance(redis, RedisCluster):
        return await redis.keys(pattern, target_nodes=RedisCluster.PRIMARIES)
    return await redis.keys(pattern)


@pytest.fixture
def keys_of():
    return all_keys


class Clock:
    """A controllable clock: tests move time instead of sleeping."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def store(redis: Redis, clock: Clock) -> Store:
    s = Store(redis, SecretBox(TEST_SECRET), clock)
    await s.migrate()
    return s
