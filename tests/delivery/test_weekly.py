"""The weekly report: due Monday morning in the tenant's zone, queued from Redis by whichever
worker looks first, once per week with two workers and after a restart, and delivered to every
admin as a photo of the week's chart with its figures as the caption."""

from __future__ import annotations

from datetime import datetime

import pytest

from delivery.weekly import WeeklySchedule, switch
from store import keys as store_keys
from store.cards import Resolution


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


MON_0900_MSK = datetime.fromisoformat("2027-01-18T09:00+03:00").timestamp()
WEEK = 7 * 86_400


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _admins(world, store, n: int = 2) -> list[int]:
    admins = [await world.user(f"Admin{i}") for i in range(n)]
    for uid in admins:
        await store.admins.grant(world.tenant.id, uid)
    return admins


async def _week_of_calls(store, tid: str) -> None:
    fu = store.followups
    done = await fu.open_call(tid, "w1", "+74951111111", "default", MON_0900_MSK - 2 * 86_400)
    await fu.resolve(tid, done.card.id, Resolution.MANUAL, user=7, name="Ольга",
                     at=MON_0900_MSK - 2 * 86_400 + 300)  # fmt: skip
    await fu.open_call(tid, "w2", "+74952222222", "default", MON_0900_MSK - 3600)


async def test_monday_morning_every_admin_gets_the_chart_with_the_figures(
    world, make_engine, store
):
    admins = await _admins(world, store)
    tid = world.tenant.id
    await _week_of_calls(store, tid)
    friday = MON_0900_MSK - 3 * 86_400
    assert await switch(store, tid, True, friday) == MON_0900_MSK  # the coming Monday, 09:00
    await make_engine()
    clock = Clock(MON_0900_MSK - 1)
    schedule = WeeklySchedule(store, clock)
    assert await schedule.tick() == 0  # not yet
    clock.now = MON_0900_MSK + 5
    assert await schedule.tick() == 1
    for uid in admins:
        [message] = await world.tg.wait_for_messages(uid, 1, timeout=10)
        assert message["caption"].startswith("Отчёт за неделю")
        assert "Пропущенных звонков: 2" in message["caption"]
        assert (
            "Отмечено вручную: 1" in message["caption"] and "Ещё открыто: 1" in message["caption"]
        )
        png = await world.tg.file_bytes(message["photo"][-1]["file_id"])
        assert png.startswith(b"\x89PNG")
    assert await store.weekly.due_at(tid) == MON_0900_MSK + WEEK
    assert await schedule.tick() == 0  # this week is done


async def test_two_workers_and_a_restart_send_one_report_a_week(world, make_engine, store):
    [admin] = await _admins(world, store, 1)
    tid = world.tenant.id
    await switch(store, tid, True, MON_0900_MSK - 86_400)
    # Both workers were down over Monday morning; they come back on Tuesday at once.
    tuesday = Clock(MON_0900_MSK + 86_400)
    one, two = WeeklySchedule(store, tuesday), WeeklySchedule(store, tuesday)
    engine = await make_engine()
    assert sorted([await one.tick(), await two.tick()]) == [0, 1]
    await world.tg.wait_for_messages(admin, 1, timeout=10)
    await world.idle(engine)
    # The next one is the coming Monday (not Tuesday + 7 days), and again sent once.
    assert await store.weekly.due_at(tid) == MON_0900_MSK + WEEK
    tuesday.now = MON_0900_MSK + WEEK + 60
    restarted = WeeklySchedule(store, tuesday)
    assert await restarted.tick() + await one.tick() == 1
    await world.tg.wait_for_messages(admin, 2, timeout=10)
    await world.idle(engine)
    assert len(await world.tg.messages(admin, world.default["id"])) == 2


async def test_off_sends_nothing_and_a_deleted_tenant_drops_out(world, make_engine, store):
    await _admins(world, store, 1)
    tid = world.tenant.id
    await switch(store, tid, True, MON_0900_MSK - 86_400)
    await switch(store, tid, False, MON_0900_MSK - 86_400)
    assert await WeeklySchedule(store, Clock(MON_0900_MSK + 60)).tick() == 0
    await store.weekly.switch_on("404", int(MON_0900_MSK))  # a tenant deleted meanwhile
    assert await WeeklySchedule(store, Clock(MON_0900_MSK + 60)).tick() == 0
    assert await store.weekly.due_at("404") is None


async def test_one_tenant_that_cannot_be_scheduled_holds_back_no_other(world, store, caplog):
    other, _ = await store.tenants.create("Other", "Europe/Moscow", "ru")
    friday = MON_0900_MSK - 3 * 86_400
    await switch(store, world.tenant.id, True, friday)
    await switch(store, other.id, True, friday)
    # A zone this machine does not know (a corrupt record, a tzdata without it).
    await store.redis.hset(store_keys.tenant(world.tenant.id), "tz", "Mars/Olympus_Mons")
    schedule = WeeklySchedule(store, Clock(MON_0900_MSK + 5))
    assert await schedule.tick() == 1  # the other tenant's report went out
    assert "cannot schedule it" in caplog.text
