"""Working hours at fan-out, through the engine and the emulator: the card says a call came
outside hours, `quiet` sends it without a sound, personal quiet hours silence one chat.

The store's clock (tests/conftest.py) stands at Friday 2027-01-15 11:00 in Moscow."""

from __future__ import annotations

import time
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from delivery.intake import Intake
from store.events import CallEvent


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


IN_HOURS = "Mon-Fri 09:00-18:00"
CLOSED_NOW = "Mon-Fri 12:00-18:00"  # opens an hour after the store's clock
OFF_LINE = "Звонок в нерабочее время"


def _caller(call_id: str) -> str:
    # One caller per call: a repeat caller's call updates the open card instead of a new one.
    return f"+7495{zlib.crc32(call_id.encode()) % 10**7:07d}"


async def _call(world, call_id: str = "c1", **extra) -> None:
    event = CallEvent(call_id=call_id, caller=_caller(call_id), **extra)
    assert (await Intake(world.store).submit(world.tenant, event)).outcome == "accepted"


async def _records(world, chat: int, count: int = 1) -> list[dict]:
    got = await world.tg.message_records(chat, count=count, wait=5.0)
    assert not got["timed_out"]
    return got["messages"]


async def test_in_hours_a_card_is_plain_and_rings(world, make_engine):
    await world.store.schedules.set_tenant(world.tenant.id, hours=IN_HOURS, off_hours="quiet")
    chat = await world.subscriber("A")
    await make_engine()
    await _call(world)
    [record] = await _records(world, chat)
    assert OFF_LINE not in record["message"]["text"]
    assert record["disable_notification"] is False


async def test_quiet_mode_sends_off_hours_cards_at_once_without_a_sound(world, make_engine):
    await world.store.schedules.set_tenant(world.tenant.id, hours=CLOSED_NOW, off_hours="quiet")
    a, b = await world.subscriber("A"), await world.subscriber("B")
    engine = await make_engine()
    await _call(world)
    for chat in (a, b):
        [record] = await _records(world, chat)
        text = record["message"]["text"]
        assert text.splitlines()[1].endswith(OFF_LINE) and _caller("c1") in text
        assert record["disable_notification"] is True
    await world.idle(engine)


async def test_notify_mode_rings_but_still_marks_the_card(world, make_engine):
    await world.store.schedules.set_tenant(world.tenant.id, hours=CLOSED_NOW, off_hours="notify")
    chat = await world.subscriber("A")
    await make_engine()
    await _call(world)
    [record] = await _records(world, chat)
    assert OFF_LINE in record["message"]["text"]
    assert record["disable_notification"] is False


async def test_a_groups_own_hours_win_over_the_tenants(world, make_engine):
    store, tid = world.store, world.tenant.id
    await store.schedules.set_tenant(tid, hours=IN_HOURS, off_hours="quiet")
    await store.groups.ensure(tid, "night", notify=True)
    await store.schedules.set_group(tid, "night", hours="Sat 10:00-14:00")
    chat = await world.subscriber("A")
    await make_engine()
    await _call(world, "c1", group="night")
    await _call(world, "c2")
    night, day = await _records(world, chat, 2)
    assert OFF_LINE in night["message"]["text"] and night["disable_notification"] is True
    assert OFF_LINE not in day["message"]["text"] and day["disable_notification"] is False


async def test_personal_quiet_hours_silence_only_that_subscriber(world, make_engine):
    # Quiet hours are judged when the card goes out: a window around the real time now.
    now = datetime.fromtimestamp(time.time(), ZoneInfo(world.tenant.tz))
    window = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=1)):%H:%M}"
    away = f"{(now + timedelta(hours=3)):%H:%M}-{(now + timedelta(hours=4)):%H:%M}"
    sleepy, awake, later = [await world.subscriber(n) for n in "SAL"]
    await world.store.schedules.set_quiet(world.tenant.id, sleepy, window)
    await world.store.schedules.set_quiet(world.tenant.id, later, away)
    await make_engine()
    await _call(world)
    [quiet] = await _records(world, sleepy)
    [loud] = await _records(world, awake)
    [not_yet] = await _records(world, later)
    assert quiet["disable_notification"] is True
    assert loud["disable_notification"] is False and not_yet["disable_notification"] is False
    assert quiet["message"]["text"] == loud["message"]["text"]
