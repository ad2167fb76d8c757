"""Ingest never says 503 while Redis is well: a crowd larger than the connection pool, and a
Redis restart under load (a real redis-server, real sockets)."""

import asyncio
import itertools
import tempfile
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from delivery.intake import Intake
from perezvon.embedded_redis import EmbeddedRedis
from perezvon.metrics import Metrics
from store import PoolPolicy, Store, connect
from store.crypto import SecretBox
from webhook_ingest.app import build_app, serve
from webhook_ingest.limits import ClientLimits

SECRET = "test-secret-key-not-for-production"
TENANTS = 50


@pytest.fixture
async def stack():
    """A redis-server of our own (it is restarted), a small pool, the ingest on a port."""
    with tempfile.TemporaryDirectory(prefix="pz-ingest-redis-") as tmp:
        server = EmbeddedRedis(Path(tmp), appendfsync="everysec")
        url = server.start()
        redis = connect(url, policy=PoolPolicy(max_connections=8, timeout=30))
        store = Store(redis, SecretBox(SECRET))
        await store.migrate()
        keys = []
        for i in range(TENANTS):
            _, key = await store.tenants.create(f"T{i}", "UTC", "en")
            keys.append(key)
        app = build_app(store, Intake(store), Metrics(redis))
        # Every client here is 127.0.0.1: no per-address cap for this crowd.
        served = await serve(app, "127.0.0.1", 0, limits=ClientLimits(max_per_ip=0))
        try:
            yield server, served.url, keys
        finally:
            await served.stop()
            await redis.aclose()
            server.stop()


async def _crowd(url: str, keys: list[str], clients: int, requests: int, tag: str) -> Counter:
    """`clients` concurrent connections sending `requests` events in all; statuses counted."""
    statuses: Counter = Counter()
    numbers = itertools.count()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client(n: int) -> None:
            while (i := next(numbers)) < requests:
                body = {"call_id": f"{tag}-{i}", "caller": "100"}
                headers = {"Authorization": f"Bearer {keys[(n + i) % len(keys)]}"}
                async with session.post(f"{url}/v1/events", json=body, headers=headers) as resp:
                    statuses[resp.status] += 1

        await asyncio.gather(*(client(n) for n in range(clients)))
    return statuses


async def test_many_more_clients_than_connections_all_get_202(stack):
    _, url, keys = stack
    assert await _crowd(url, keys, clients=300, requests=1500, tag="crowd") == {202: 1500}


async def test_after_a_redis_restart_under_load_no_request_is_refused(stack):
    server, url, keys = stack
    assert await _crowd(url, keys, clients=40, requests=400, tag="warm") == {202: 400}
    load = asyncio.create_task(_crowd(url, keys, clients=20, requests=10**6, tag="during"))
    await asyncio.sleep(0.3)
    server.stop()  # every pooled connection dies with it
    server.start()
    load.cancel()
    # Redis is back and answers: from now on, not one 503.
    assert await _crowd(url, keys, clients=40, requests=600, tag="after") == {202: 600}
