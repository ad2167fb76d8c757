"""The link owner's side of «Позвонить» (perezvon/ami_dial.py) on a real AMI session with the
fake Asterisk: each request placed once, its outcome told; stranded and late ones never dialled."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from connectors.asterisk import AmiConnection
from connectors.asterisk.fake_ami import FakeAmiServer
from perezvon.ami_dial import DialDesk
from perezvon.ami_part import _cancel, settings_for
from perezvon.texts import Catalogue
from store import Store, keys
from store.dial import MAX_AGE

USER = 100_000_042


@pytest.fixture
async def world(store: Store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    server = await FakeAmiServer(secret="pw").start()
    link = await store.ami.add(
        tenant.id, server.host, server.port, "perezvon", "pw", False, dial=True,
        dial_app="Dial", dial_data="PJSIP/{number}@trunk",
    )  # fmt: skip
    yield tenant, server, link
    await server.close()


async def _told(store: Store) -> list[str]:
    tids = await store.redis.zrange(keys.TENANTS, 0, -1)
    rows = [row for tid in tids for row in await store.redis.xrange(keys.intake(tid))]
    return [f["text"] for _, f in rows if f["kind"] == "service" and f["chat"] == str(USER)]


@contextlib.asynccontextmanager
async def _desk(store: Store, link, tenant):
    conn = AmiConnection(settings_for(link, tenant.tz), _ignore)
    tasks = [asyncio.create_task(conn.run())]
    tasks.append(asyncio.create_task(DialDesk(store, Catalogue(), link, conn, every=0.02).run()))
    try:
        yield conn
    finally:
        # A cancellation landing inside a Redis call can be swallowed: cancel until done.
        await asyncio.gather(*(_cancel(t) for t in tasks))


async def _ignore(event) -> None:
    return None


async def _until(probe):
    async with asyncio.timeout(10):
        while not (value := await probe()):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return value


async def test_a_request_is_placed_once_with_the_links_application_and_told(store: Store, world):
    tenant, server, link = world
    req = await store.dials.request(tenant.id, link.id, "7", USER, "102", "84951234567")
    assert req is not None
    # A second tap while the first is pending queues nothing.
    assert await store.dials.request(tenant.id, link.id, "7", USER, "102", "84951234567") is None
    async with _desk(store, link, tenant):
        [text] = await _until(lambda: _told(store))
    assert text == "📞 Телефон 102 ответил: набираем 84951234567."
    [sent] = server.stats.originates
    assert (sent["Channel"], sent["Application"], sent["Data"]) == (
        "PJSIP/102",
        "Dial",
        "PJSIP/84951234567@trunk",
    )
    assert await store.dials.stranded(link.id) == []
    # Told and forgotten: the user may ask again.
    assert await store.dials.request(tenant.id, link.id, "7", USER, "102", "84951234567")


async def test_stranded_and_late_requests_are_told_and_never_dialled(store: Store, world, clock):
    tenant, server, link = world
    # Taken by an owner that died before it told the outcome.
    await store.dials.request(tenant.id, link.id, "1", USER, "102", "84950000001")
    assert (await store.dials.take(link.id)).number == "84950000001"
    # Waited longer than a caller would.
    await store.dials.request(tenant.id, link.id, "2", USER, "102", "84950000002")
    clock.advance(MAX_AGE + 1)
    async with _desk(store, link, tenant):
        told = await _until(lambda: _two(store))
    assert any("Не знаем, удалось ли позвонить 84950000001" in t for t in told)
    assert any("Звонок на 84950000002 не заказан вовремя" in t for t in told)
    assert server.stats.originates == []
    assert await store.dials.stranded(link.id) == []


async def _two(store: Store) -> list[str] | None:
    told = await _told(store)
    return told if len(told) == 2 else None
