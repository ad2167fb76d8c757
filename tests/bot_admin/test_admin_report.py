"""«Отчёт» in the admin menu: the week's and the month's missed calls, what became of them, per
group and per employee, and the callers nobody called back."""

from __future__ import annotations

from store.followup import Resolution


async def test_the_report_counts_outcomes_groups_and_employees(signed_in, store, acme, clock):
    me, tenant = signed_in, acme[0]
    await store.groups.ensure(tenant.id, "sales", "Отдел продаж", notify=True)
    fu, tid, now = store.followups, tenant.id, clock.now
    olga = (await fu.open_call(tid, "c1", "+74951111111", "default", now - 600)).card
    await fu.open_call(tid, "c2", "+74951111111", "default", now - 500)  # a repeat: same card
    await fu.claim(tid, olga.id, 7, "Ольга")
    await fu.resolve(tid, olga.id, Resolution.CALLED_BACK, extension="101", at=now - 300)
    done = (await fu.open_call(tid, "c3", "+74952222222", "sales", now - 400)).card
    await fu.resolve(tid, done.id, Resolution.MANUAL, user=8, name="Иван", at=now - 280)
    await fu.open_call(tid, "c4", "+74953333333", "sales", now - 100)  # nobody called back
    await me.press("Отчёт")
    screen = await me.screen()
    assert "Отчёт за 7 дн." in screen
    assert "Пропущенных звонков: 4" in screen and "Звонивших: 3" in screen
    assert "Повторных звонков: 1" in screen
    assert "Перезвонили: 1" in screen and "Отмечено вручную: 1" in screen
    assert "Ещё открыто: 1" in screen and "Доля перезвонов: 67%" in screen
    assert "медиана 4 мин, 90% за 5 мин" in screen
    assert "• Основная группа: 2 (звонивших: 1), перезвонили 1, открыто 0" in screen
    assert "• Отдел продаж: 2 (звонивших: 2), перезвонили 1, открыто 1" in screen
    assert "• Ольга: взял(а) 1, перезвонил(а) 1, медиана 5 мин" in screen
    assert "• Иван: взял(а) 0, перезвонил(а) 1, медиана 2 мин" in screen
    assert "Никто не перезвонил (1):\n• +74953333333 ×1" in screen
    assert "✓ 7 дней" in await me.labels()
    await me.press("30 дней")
    assert "Отчёт за 30 дн." in await me.screen()
    assert "✓ 30 дней" in await me.labels()


async def test_an_empty_period(signed_in):
    await signed_in.press("Отчёт")
    screen = await signed_in.screen()
    assert "Пропущенных звонков: 0" in screen and "Доля перезвонов: —" in screen
    assert "Никто не перезвонил" not in screen
