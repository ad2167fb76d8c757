"""The silent-PBX watch on the store backends: one alarm to the admins, one «back», working
hours only, AMI links down for over a minute, and the gauges /metrics shows.

The store's clock starts at Friday 2027-01-15 11:00 in Moscow."""

from __future__ import annotations

import asyncio

import pytest

from delivery.silence import SilenceWatch
from perezvon.texts import Catalogue
from store import Store
from tests.intake_view import intake_fields


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


HOUR = 3600.0


async def _admin_texts(store: Store) -> list[str]:
    return [f["text"] for f in await intake_fields(store.redis) if f["kind"] == "admins"]


@pytest.fixture
async def acme(store: Store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    await store.admins.grant(tenant.id, 77)
    return tenant


@pytest.fixture
def watch(store: Store, clock) -> SilenceWatch:
    return SilenceWatch(store, Catalogue(), clock=clock)


async def test_one_alarm_then_one_back_message(store, acme, watch, clock):
    await store.schedules.set_tenant(acme.id, silence_alert=7200)
    await store.heartbeats.beat(acme.id)
    clock.advance(HOUR)
    assert await watch.tick() == 0
    clock.advance(HOUR + 60)
    assert await watch.tick() == 1
    [alarm] = await _admin_texts(store)
    assert "АТС компании «Acme»" in alarm and "2 ч 1 мин" in alarm
    clock.advance(HOUR)
    assert await watch.tick() == 0  # once: still silent, nothing new
    assert len(await _admin_texts(store)) == 1
    assert (await watch.gauges())["pbx_silent_tenants"][1] == 1
    await store.heartbeats.beat(acme.id)
    assert await watch.tick() == 1
    assert "снова поступают" in (await _admin_texts(store))[-1]
    assert await watch.tick() == 0
    assert (await watch.gauges())["pbx_silent_tenants"][1] == 0


async def test_only_working_hours_count(store, acme, watch, clock):
    await store.schedules.set_tenant(acme.id, hours="Mon-Fri 09:00-18:00", silence_alert=7200)
    clock.advance(6 * HOUR)  # Friday 17:00
    await store.heartbeats.beat(acme.id)
    clock.advance(19 * HOUR)  # Saturday noon: an hour of Friday counted
    assert await watch.tick() == 0
    clock.advance(2 * 24 * HOUR - 2 * HOUR)  # Monday 10:00: two hours exactly
    assert await watch.tick() == 0
    clock.advance(60)
    assert await watch.tick() == 1


async def test_off_by_default_and_at_zero(store, acme, watch, clock):
    await store.heartbeats.beat(acme.id)
    clock.advance(30 * 24 * HOUR)
    assert await watch.tick() == 0
    await store.schedules.set_tenant(acme.id, silence_alert=60)
    assert await watch.tick() == 1
    # Switched off while raised: the alarm is dropped without a «back» message.
    await store.schedules.set_tenant(acme.id, silence_alert=0)
    assert await watch.tick() == 0
    assert await store.heartbeats.alarms() == {}
    assert len(await _admin_texts(store)) == 1


async def test_an_ami_link_down_for_a_minute(store, acme, watch, clock):
    link = await store.ami.add(acme.id, "pbx.example", 5038, "perezvon", "pw", False)
    await store.heartbeats.links_seen({link.id: False})  # never connected: counts from now
    clock.advance(30)
    assert await watch.tick() == 0
    clock.advance(31)
    assert await watch.tick() == 1
    [down] = await _admin_texts(store)
    assert "pbx.example:5038" in down and "1 мин 1 с" in down
    assert (await watch.gauges())["ami_links_down"][1] == 1
    clock.advance(60)
    assert await watch.tick() == 0
    await store.heartbeats.links_seen({link.id: True})
    assert await watch.tick() == 1
    assert "восстановлена" in (await _admin_texts(store))[-1]
    assert (await watch.gauges())["ami_links_down"][1] == 0


async def test_two_workers_raise_one_alarm(store, acme, clock):
    await store.schedules.set_tenant(acme.id, silence_alert=60)
    await store.heartbeats.beat(acme.id)
    clock.advance(HOUR)
    one, two = (SilenceWatch(store, Catalogue(), clock=clock) for _ in range(2))
    assert sorted(await asyncio.gather(one.tick(), two.tick())) == [0, 1]
    assert len(await _admin_texts(store)) == 1


async def test_deleted_tenants_and_links_are_forgotten(store, acme, watch, clock):
    link = await store.ami.add(acme.id, "pbx.example", 5038, "perezvon", "pw", False)
    await store.heartbeats.links_seen({link.id: True})
    await store.heartbeats.beat(acme.id)
    await store.ami.remove(link.id)
    await store.delete_tenant(acme.id)
    clock.advance(HOUR)
    assert await watch.tick() == 0
    assert await store.heartbeats.last_events() == {}
    assert await store.heartbeats.link_seen() == {}


async def test_a_burst_of_events_is_one_write(store, acme, clock):
    await store.heartbeats.beat(acme.id)
    first = await store.heartbeats.last_event(acme.id)
    clock.advance(1)
    await store.heartbeats.beat(acme.id)
    assert await store.heartbeats.last_event(acme.id) == first
    clock.advance(5)
    await store.heartbeats.beat(acme.id)
    assert await store.heartbeats.last_event(acme.id) == first + 6
