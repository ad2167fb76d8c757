"""The morning digest through the engine and the emulator: nothing at night, one message per
subscriber at the opening listing its calls, and nothing lost when the worker restarts.

The store's clock stands at Friday 2027-01-15 11:00 in Moscow; hours open at 12:00."""

from __future__ import annotations

import asyncio

import pytest

from delivery.intake import Intake
from store.events import CallEvent


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


CLOSED_NOW = "Mon-Fri 12:00-18:00"
OPENING = 1_800_000_000.0 + 3600  # 12:00 Moscow that day


async def _call(world, call_id: str, caller: str, **extra) -> None:
    event = CallEvent(call_id=call_id, caller=caller, **extra)
    assert (await Intake(world.store).submit(world.tenant, event)).outcome == "accepted"


def _manual(engine):
    """The engine's own digest loop stops: the test says when to look."""
    engine.digests.stopping = True
    return engine


async def _night(world, make_engine, *, loop: bool = False):
    store, tid = world.store, world.tenant.id
    await store.schedules.set_tenant(tid, hours=CLOSED_NOW, off_hours="digest")
    await store.groups.ensure(tid, "sales", notify=True)
    everyone = await world.subscriber("E")
    sales_only = await world.subscriber("S")
    await store.subs.set_groups(tid, sales_only, frozenset({"sales"}))
    engine = await make_engine()
    if not loop:
        _manual(engine)
    await _call(world, "c1", "+74951234567")
    await _call(world, "c2", "+74957654321", group="sales")
    await world.idle(engine)
    return engine, everyone, sales_only


async def test_off_hours_calls_wait_for_the_opening_then_come_as_one_digest(world, make_engine):
    engine, everyone, sales_only = await _night(world, make_engine)
    assert await world.tg.messages(everyone) == []
    assert [h.call_id for h in await world.store.held.pending(world.tenant.id)] == ["c1", "c2"]
    engine.digests.clock = lambda: OPENING - 1
    assert await engine.digests.tick() == 0
    engine.digests.clock = lambda: OPENING
    assert await engine.digests.tick() == 2
    [digest] = await world.tg.wait_for_messages(everyone, 1)
    [own] = await world.tg.wait_for_messages(sales_only, 1)
    assert "нерабочее время: 2" in digest["text"]
    assert "+7 495 123-45-67" in digest["text"] and "+7 495 765-43-21" in digest["text"]
    assert "нерабочее время: 1" in own["text"] and "123-45-67" not in own["text"]
    assert await world.store.held.pending(world.tenant.id) == []
    # Done once: a later look finds nothing, and new calls in hours are cards again.
    assert await engine.digests.tick() == 0
    await world.idle(engine)
    assert len(await world.tg.messages(everyone)) == 1


async def test_a_restart_at_night_loses_nothing(world, make_engine):
    first, everyone, _ = await _night(world, make_engine)
    await first.stop(grace=1.0)
    second = _manual(await make_engine("w2"))
    second.digests.clock = lambda: OPENING + 5
    assert await second.digests.tick() == 2
    [digest] = await world.tg.wait_for_messages(everyone, 1)
    assert "нерабочее время: 2" in digest["text"]


async def test_two_workers_send_one_digest(world, make_engine):
    one, everyone, _ = await _night(world, make_engine)
    two = _manual(await make_engine("w2"))
    for engine in (one, two):
        engine.digests.clock = lambda: OPENING
    sent = await asyncio.gather(one.digests.tick(), two.digests.tick())
    assert sorted(sent) == [0, 2]
    await world.idle(one)
    assert len(await world.tg.messages(everyone)) == 1


async def test_the_workers_loop_sends_it_by_itself(world, make_engine):
    engine, everyone, _ = await _night(world, make_engine, loop=True)
    engine.digests.clock = lambda: OPENING
    [digest] = await world.tg.wait_for_messages(everyone, 1, timeout=10.0)
    assert "+7 495 123-45-67" in digest["text"]


async def test_a_group_switched_off_overnight_is_left_out(world, make_engine):
    engine, everyone, sales_only = await _night(world, make_engine)
    await world.store.groups.set_notify(world.tenant.id, "sales", False)
    engine.digests.clock = lambda: OPENING
    assert await engine.digests.tick() == 1
    [digest] = await world.tg.wait_for_messages(everyone, 1)
    assert "нерабочее время: 1" in digest["text"] and "765-43-21" not in digest["text"]
    assert await world.tg.messages(sales_only) == []
