"""Accepted means durable: a burst of HTTP ingest while the Sentinel-watched primary is killed
(SIGKILL); every event answered 202 is in the store after the failover.

The replica is frozen (SIGSTOP) for a moment before the primary dies, so the burst meets a
replica that does not acknowledge (those calls are answered 503 and retried, see
tests/store/test_durability.py), then a dead primary, then the promoted replica."""

import asyncio
import itertools
import signal

import aiohttp
import pytest

from delivery.intake import Intake
from perezvon.local_redis import LocalSentinelSet
from perezvon.metrics import Metrics
from store import PoolPolicy, Store, connect
from store.crypto import SecretBox
from store.durability import Replication
from webhook_ingest.app import build_app, serve
from webhook_ingest.limits import ClientLimits

SECRET = "test-secret-key-not-for-production"
CLIENTS = 20


@pytest.fixture
def sentinels():
    servers = LocalSentinelSet(down_after_ms=1000).start()
    try:
        servers.wait_for_failover_readiness()
        yield servers
    finally:
        servers.stop()


class Pbx:
    """Clients that send each call until it is answered 202, as a PBX retrying 503s would."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key
        self.acknowledged: set[str] = set()
        self.refused = 0
        self._ids = itertools.count()
        self.stop = asyncio.Event()

    async def run(self) -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            await asyncio.gather(*(self._client(session) for _ in range(CLIENTS)))

    async def _client(self, session: aiohttp.ClientSession) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        while not self.stop.is_set():
            call_id = f"c{next(self._ids)}"
            while not self.stop.is_set():
                body = {"call_id": call_id, "caller": "+74950000000"}
                try:
                    async with session.post(
                        f"{self.url}/v1/events", json=body, headers=headers
                    ) as resp:
                        if resp.status == 202:
                            self.acknowledged.add(call_id)
                            break
                        self.refused += 1
                except aiohttp.ClientError:
                    self.refused += 1
                await asyncio.sleep(0.05)


async def _until(condition, seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_every_acknowledged_event_survives_killing_the_primary(sentinels):
    redis = connect(sentinels.url, policy=PoolPolicy(timeout=30))
    replication = Replication(redis, wait_ms=500)
    store = Store(redis, SecretBox(SECRET), replication=replication)
    await store.migrate()
    tenant, key = await store.tenants.create("A", "UTC", "en")
    app = build_app(store, Intake(store), Metrics(redis))
    served = await serve(app, "127.0.0.1", 0, limits=ClientLimits(max_per_ip=0))
    pbx = Pbx(served.url, key)
    burst = asyncio.create_task(pbx.run())
    try:
        await _until(lambda: len(pbx.acknowledged) >= 300, 60)
        assert await replication.replicas() == 1
        sentinels.signal_replicas(signal.SIGSTOP)
        await asyncio.sleep(1.0)  # the burst goes on; nothing reaches the replica
        old = await asyncio.to_thread(sentinels.kill_primary)
        sentinels.signal_replicas(signal.SIGCONT)
        before = len(pbx.acknowledged)
        await asyncio.to_thread(sentinels.wait_for_new_primary, old)
        await _until(lambda: len(pbx.acknowledged) >= before + 300, 60)
    finally:
        pbx.stop.set()
        await burst
        await served.stop()
    missing = [
        cid for cid in sorted(pbx.acknowledged) if await store.calls.get(tenant.id, cid) is None
    ]
    await redis.aclose()
    assert missing == [], f"{len(missing)} of {len(pbx.acknowledged)} acknowledged calls lost"
    assert pbx.refused > 0  # the failover was seen: some requests were refused, then retried
