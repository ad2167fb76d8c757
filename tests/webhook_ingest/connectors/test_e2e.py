"""From a vendor's signed HTTP post to the Telegram card, every vendor: the real app, engine and
emulator."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from delivery.intake import Intake
from perezvon.metrics import Metrics
from tests.delivery.conftest import emu, emu_limits, make_engine, tg, world  # noqa: F401
from tests.webhook_ingest.connectors.conftest import Hook
from tests.webhook_ingest.connectors.signing import ROWS
from webhook_ingest.app import RUNNER_OPTIONS, build_app
from webhook_ingest.connectors import REGISTRY


class _Ingest:
    def __init__(self, client: TestClient, store, tenant) -> None:
        self.client, self.store, self.tenant = client, store, tenant


@pytest.mark.parametrize("row", ROWS, ids=[r.vendor for r in ROWS])
async def test_a_missed_call_reaches_the_subscriber_once(world, make_engine, row):  # noqa: F811
    store = world.store
    uid = await world.subscriber("A")
    engine = await make_engine()
    server = TestServer(build_app(store, Intake(store), Metrics(store.redis)))
    await server.start_server(**RUNNER_OPTIONS)
    client = TestClient(server)
    try:
        connector = await store.connectors.add(
            world.tenant.id, row.vendor, row.options, secret_names=REGISTRY[row.vendor].secrets
        )
        hook = Hook(_Ingest(client, store, world.tenant), row, connector)
        legs = row.cases()["missed"]
        for leg in legs + legs:  # the vendor retries every leg: still one card
            assert (await hook.post(leg)).status == 200
        [msg] = await world.tg.wait_for_messages(uid, 1)
        await world.idle(engine)
    finally:
        await client.close()
    assert "Пропущенный вызов" in msg["text"]
    assert "Перезвонить: +74951234567" in msg["text"]
    assert "Линия: +7 495 765-43-21" in msg["text"]
    assert len(await world.tg.messages(uid)) == 1
    status = await store.connectors.status(connector)
    assert status.last_event_at is not None and status.last_rejected is None


async def test_a_missed_call_the_fold_records_itself_reaches_the_subscriber_once(
    world,  # noqa: F811
    make_engine,  # noqa: F811
):
    # The line's group exists: the fold script judges and records the call in one round trip,
    # writing its event itself; the card must read as intake's would.
    row = next(r for r in ROWS if r.vendor == "rostelecom")
    store = world.store
    await store.groups.ensure(world.tenant.id, "+74957654321", notify=True)
    uid = await world.subscriber("A")
    engine = await make_engine()
    server = TestServer(build_app(store, Intake(store), Metrics(store.redis)))
    await server.start_server(**RUNNER_OPTIONS)
    client = TestClient(server)
    try:
        connector = await store.connectors.add(
            world.tenant.id, row.vendor, row.options, secret_names=REGISTRY[row.vendor].secrets
        )
        hook = Hook(_Ingest(client, store, world.tenant), row, connector)
        legs = row.cases()["missed"]
        statuses = []
        for leg in legs + legs:
            resp = await hook.post(leg)
            statuses += [r["status"] for r in (await resp.json())["results"]]
        [msg] = await world.tg.wait_for_messages(uid, 1)
        await world.idle(engine)
    finally:
        await client.close()
    assert statuses == ["accepted", "duplicate"]
    assert "Пропущенный вызов" in msg["text"]
    assert "Перезвонить: +74951234567" in msg["text"]
    assert "Линия: +7 495 765-43-21" in msg["text"]
    assert len(await world.tg.messages(uid)) == 1
