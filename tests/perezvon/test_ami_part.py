"""The AMI supervisor: stored links become live connections whose missed calls reach intake."""

import asyncio
from pathlib import Path

import pytest

from connectors.asterisk import AmiConnection
from connectors.asterisk.fake_ami import FakeAmiServer, capture_body
from delivery.intake import Intake
from perezvon.ami_part import AmiSupervisor, settings_for
from store import Store
from tests.intake_view import intake_fields

CAPTURES = Path(__file__).resolve().parents[1] / "data" / "asterisk"


def _capture(name: str) -> bytes:
    return capture_body((CAPTURES / name).read_bytes())


async def _wait_for(predicate):
    async with asyncio.timeout(10):
        # Polls state owned by other tasks (Redis, the connector) that offer no event.
        while not (result := await predicate()):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return result


@pytest.fixture
async def tenant(store: Store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    return tenant


async def test_missed_call_from_asterisk_reaches_intake_once(store: Store, tenant):
    server = await FakeAmiServer(secret="pw", replay=_capture("01-ringgroup-noanswer.ami")).start()
    link = await store.ami.add(tenant.id, server.host, server.port, "perezvon", "pw", False)
    supervisor = AmiSupervisor(store, Intake(store), reconcile_every=0.05)
    await supervisor.start()
    try:
        recent = await _wait_for(lambda: store.calls.recent(tenant.id))
        assert len(recent) == 1 and recent[0].call_id.startswith(f"ami:{link.id}:")
        assert supervisor.link_ids == [link.id]
        # Removing the link stops its connection at the next reconciliation.
        await store.ami.remove(link.id)
        await _wait_for(lambda: asyncio.sleep(0, result=supervisor.link_ids == []))
    finally:
        await supervisor.stop()
        await server.close()
    entries = [f for f in await intake_fields(store.redis, tenant.id) if f["kind"] == "call"]
    assert len(entries) == 1


async def test_answered_call_is_not_notified(store: Store, tenant):
    server = await FakeAmiServer(secret="pw", replay=_capture("05-queue-answered.ami")).start()
    await store.ami.add(tenant.id, server.host, server.port, "perezvon", "pw", False)
    connections = []

    def connect(settings, on_missed):
        connections.append(AmiConnection(settings, on_missed))
        return connections[-1]

    supervisor = AmiSupervisor(store, Intake(store), reconcile_every=0.05, connect=connect)
    await supervisor.start()
    try:
        # Decided (as answered) means the whole call was read: a missed verdict would be out.
        await _wait_for(lambda: asyncio.sleep(0, result=connections[0].detector.stats.decided))
        # Only the follow-up loop hears of it: the caller's history, no missed call.
        await _wait_for(lambda: asyncio.sleep(0, result=connections[0].outbox.stats.delivered == 1))
        assert connections[0].outbox.pending() == []
    finally:
        await supervisor.stop()
        await server.close()
    assert await store.calls.recent(tenant.id) == []


async def test_settings_carry_the_link_options(store: Store, tenant):
    link = await store.ami.add(
        tenant.id, "pbx", 5038, "u", "s", False, did_groups={"100": "sales"},
        contexts=("from-sip",),
    )  # fmt: skip
    settings = settings_for(link, tenant.tz)
    assert settings.call_id_prefix == f"ami:{link.id}:"
    assert settings.detector.did_groups == {"100": "sales"}
    assert settings.detector.inbound_contexts == ("from-sip",)
    assert str(settings.detector.server_tz) == "Europe/Moscow"
    assert "s" != repr(settings) and "secret='s'" not in repr(settings)


async def test_stop_ends_a_connection_that_swallows_its_first_cancellation(store: Store, tenant):
    class Stubborn:
        def __init__(self, settings, on_missed):
            pass

        async def run(self):
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                pass  # what redis-py sometimes does inside a command
            await asyncio.Event().wait()

    await store.ami.add(tenant.id, "127.0.0.1", 1, "u", "s", False)
    supervisor = AmiSupervisor(store, Intake(store), reconcile_every=60, connect=Stubborn)
    await supervisor.start()
    async with asyncio.timeout(10):
        await supervisor.stop()
    assert supervisor.link_ids == []


async def test_a_connected_link_reports_itself_and_its_tenant_alive(store: Store, tenant, clock):
    server = await FakeAmiServer(secret="pw").start()
    link = await store.ami.add(tenant.id, server.host, server.port, "perezvon", "pw", False)
    dead = await store.ami.add(tenant.id, "127.0.0.1", 9, "perezvon", "pw", False)
    supervisor = AmiSupervisor(store, Intake(store), reconcile_every=0.05)
    await supervisor.start()
    try:
        seen = await _wait_for(lambda: store.heartbeats.last_event(tenant.id))
        assert seen == clock.now
        links = await store.heartbeats.link_seen()
        assert links[link.id] == clock.now
        # The unreachable link is counted from when it was first seen, never refreshed.
        first = links[dead.id]
        clock.advance(120)
        await supervisor.report()
        links = await store.heartbeats.link_seen()
        assert links[dead.id] == first and links[link.id] == clock.now
    finally:
        await supervisor.stop()
        await server.close()


async def test_an_outbound_call_over_a_live_link_resolves_the_callers_card(
    store: Store, tenant, clock
):
    # tests/data/asterisk/constructed/20: phone 102 calls 87011234567, answered, 130 s.
    clock.now = 1795790000.0 - 300  # the customer was missed five minutes earlier
    card = (
        await store.followups.open_call(tenant.id, "m1", "+77011234567", "default", clock.now)
    ).card
    body = capture_body((CAPTURES / "constructed" / "20-outbound-answered.ami").read_bytes())
    server = await FakeAmiServer(secret="pw", replay=body).start()
    await store.ami.add(tenant.id, server.host, server.port, "perezvon", "pw", False)
    supervisor = AmiSupervisor(store, Intake(store), reconcile_every=0.05)
    await supervisor.start()
    try:

        async def resolved():
            got = await store.followups.get(tenant.id, card.id)
            return got if got.state == "resolved" else None

        done = await _wait_for(resolved)
    finally:
        await supervisor.stop()
        await server.close()
    assert (done.resolution, done.extension) == ("called_back", "102")
    assert done.talk_seconds == pytest.approx(130.0, abs=0.01)
