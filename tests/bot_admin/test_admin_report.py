"""«Отчёт» in the admin menu: the week's and the month's missed calls, per group."""

from __future__ import annotations

from delivery.intake import Intake
from store.events import CallEvent


async def test_the_report_counts_calls_callers_and_repeats(signed_in, store, acme, clock):
    me, tenant = signed_in, acme[0]
    await store.groups.ensure(tenant.id, "sales", "Отдел продаж", notify=True)
    intake = Intake(store)
    for cid, caller, group in (
        ("c1", "+74951111111", None), ("c2", "+74951111111", None),
        ("c3", "+74952222222", "sales"),
    ):  # fmt: skip
        assert (await intake.submit(tenant, CallEvent(call_id=cid, caller=caller, group=group))
                ).outcome == "accepted"  # fmt: skip
    await me.press("Отчёт")
    screen = await me.screen()
    assert "Отчёт за 7 дн." in screen
    assert "Пропущенных звонков: 3" in screen and "Звонивших: 2" in screen
    assert "Повторных звонков: 1" in screen
    assert "• Основная группа: 2 (звонивших: 1)" in screen
    assert "• Отдел продаж: 1 (звонивших: 1)" in screen
    assert "✓ 7 дней" in await me.labels()
    await me.press("30 дней")
    assert "Отчёт за 30 дн." in await me.screen()
    assert "✓ 30 дней" in await me.labels()


async def test_an_empty_period(signed_in):
    await signed_in.press("Отчёт")
    assert "Пропущенных звонков: 0" in await signed_in.screen()
