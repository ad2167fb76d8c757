"""From a vendor's signed HTTP post to the Telegram card, every vendor: the real app, engine and
emulator."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from delivery.intake import Intake
from perezvon.metrics import Metrics
from store.followup import Resolution, State
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


def _moved(value: object, by: int) -> object:
    """The leg with its epoch times (the fixtures' are of January 2026) moved by `by` seconds
    to the store's now: the follow-up loop takes a call back only within the card's window."""
    if isinstance(value, dict):
        return {k: _moved(v, by) for k, v in value.items()}
    if isinstance(value, int) and 1_700_000_000 <= value < 1_800_000_000:
        return value + by
    return value


@pytest.mark.parametrize("row", ROWS, ids=[r.vendor for r in ROWS])
async def test_an_employee_calling_the_caller_back_resolves_the_card(world, make_engine, row):  # noqa: F811
    # The follow-up loop fed by the vendor: its outbound call to the number resolves the card.
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
        missed, by = [], round(store.followups.now()) - 1_767_261_600
        for leg in row.cases()["missed"]:
            missed += (await (await hook.post(_moved(leg, by))).json()).get("results", [])
        await world.tg.wait_for_messages(uid, 1)
        (call,) = missed

        async def card():
            return await store.followups.card_of_call(world.tenant.id, call["call_id"])

        assert (await world.eventually(card, within=5)).state is State.OPEN
        for leg in row.cases()["outbound"]:
            assert (await hook.post(_moved(leg, by))).status == 200

        async def resolved():
            got = await card()
            return got if got.state is State.RESOLVED else None

        done = await world.eventually(resolved, within=5)
        await world.idle(engine)
    finally:
        await client.close()
    assert done.resolution is Resolution.CALLED_BACK
