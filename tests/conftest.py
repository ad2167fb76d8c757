"""Fixtures shared by every test: Redis backends (fake and real) and a store over each."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import fakeredis
import pytest
from redis.asyncio import Redis

from perezvon.embedded_redis import EmbeddedRedis
from store import Store, connect
from store.crypto import SecretBox

REPO = Path(__file__).resolve().parents[1]
TEST_SECRET = "test-secret-key-not-for-production"


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


@pytest.fixture(params=["fakeredis", "real-redis"])
async def redis(request: pytest.FixtureRequest) -> AsyncIterator[Redis]:
    """Each test using it runs twice: on fakeredis and on a real Redis, both flushed first."""
    if request.param == "fakeredis":
        client = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer(), decode_responses=True)
    else:
        client = connect(request.getfixturevalue("real_redis_url"))
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


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
