"""webhook_ingest/hooks.py: a folded vendor's missed call costs one script, the fold that also
records it, counted by a real Redis (fakeredis keeps no command statistics); and it is not
accepted before a replica has it, where there is one."""

from __future__ import annotations

import signal

import pytest
from aiohttp.test_utils import TestClient, TestServer

from delivery.intake import Intake
from perezvon.local_redis import LocalSentinelSet
from perezvon.metrics import Metrics
from store import Store, connect, keys
from store.crypto import SecretBox
from store.durability import Replication
from tests.conftest import TEST_SECRET
from tests.intake_view import intake_fields
from tests.webhook_ingest.connectors.conftest import Hook
from tests.webhook_ingest.connectors.signing import ROWS
from webhook_ingest.app import RUNNER_OPTIONS, build_app
from webhook_ingest.connectors import rostelecom

ROW = next(r for r in ROWS if r.vendor == "rostelecom")


@pytest.fixture(params=["real-redis"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def hook(ingest) -> Hook:
    c = await ingest.store.connectors.add(
        ingest.tenant.id, "rostelecom", ROW.options, secret_names=rostelecom.VENDOR.secrets
    )
    return Hook(ingest, ROW, c)


class _Ingest:
    def __init__(self, client: TestClient, store: Store, tenant) -> None:
        self.client, self.store, self.tenant = client, store, tenant


def _call(leg: dict, session: str) -> dict:
    return {**leg, "json": {**leg["json"], "session_id": session}}


async def _scripts(hook: Hook) -> int:
    """Scripts run so far (EVALSHA, and EVAL when one was not loaded yet)."""
    stats = await hook.ingest.store.redis.info("commandstats")
    return sum(stats.get(f"cmdstat_{c}", {}).get("calls", 0) for c in ("evalsha", "eval"))


async def test_a_missed_call_is_durable_after_one_script(hook):
    new, end = ROW.cases()["missed"]
    tid = hook.ingest.tenant.id
    for leg in (new, end):  # the first call of the line creates its group, through intake
        assert (await hook.post(_call(leg, "first"))).status == 200
    await hook.post(_call(new, "second"))
    before = await _scripts(hook)
    resp = await hook.post(_call(end, "second"))
    assert (await resp.json())["results"] == [
        {"call_id": "rostelecom:second", "status": "accepted"}
    ]
    assert await _scripts(hook) - before == 1
    assert await hook.ingest.store.redis.exists(keys.call(tid, "rostelecom:second"))
    calls = [f["call_id"] for f in await intake_fields(hook.ingest.store.redis, tid)
             if f["kind"] == "call"]  # fmt: skip
    assert calls == ["rostelecom:first", "rostelecom:second"]
    # Its retry too: one script, which finds the call recorded.
    before = await _scripts(hook)
    again = await hook.post(_call(end, "second"))
    assert (await again.json())["results"][0]["status"] == "duplicate"
    assert await _scripts(hook) - before == 1


async def test_a_missed_call_no_replica_has_yet_is_503_and_its_retry_waits_again():
    # As JSON ingest: not "accepted" until safe from a failover; the vendor retries.
    servers = LocalSentinelSet().start()
    redis = connect(servers.url)
    client = None
    try:
        store = Store(redis, SecretBox(TEST_SECRET), replication=Replication(redis, wait_ms=200))
        await store.migrate()
        tenant, _ = await store.tenants.create("A", "UTC", "ru")
        await store.groups.ensure(tenant.id, "+74957654321", notify=True)
        server = TestServer(build_app(store, Intake(store), Metrics(store.redis)))
        await server.start_server(**RUNNER_OPTIONS)
        client = TestClient(server)
        c = await store.connectors.add(
            tenant.id, "rostelecom", ROW.options, secret_names=rostelecom.VENDOR.secrets
        )
        hook = Hook(_Ingest(client, store, tenant), ROW, c)
        _, end = ROW.cases()["missed"]
        servers.signal_replicas(signal.SIGSTOP)
        for _ in range(2):
            resp = await hook.post(end)
            assert resp.status == 503, await resp.text()
            assert (await resp.json())["error"]["code"] == "unavailable"
        servers.signal_replicas(signal.SIGCONT)
        for _ in range(50):
            resp = await hook.post(end)
            if resp.status != 503:
                break
        assert (await resp.json())["results"][0]["status"] == "duplicate"
    finally:
        servers.signal_replicas(signal.SIGCONT)
        if client is not None:
            await client.close()
        await redis.aclose()
        servers.stop()
