"""«Рабочие часы группы» on a group's screen (⚙️ in «Группы»): the tenant's or its own hours,
typed in a dialogue with the tenant's parser and error text, and back to the tenant's."""

from __future__ import annotations

from bot.keyboards.admin import gref
from bot.keyboards.admin_group import GroupCard


async def open_group(me, tid: str, gid: str) -> str:
    """Press ⚙️ beside the group in «Группы»; the group's screen."""
    await me.press("Группы")
    menu = await me.menu()
    await me.press_data(GroupCard(tid, gref(gid)).pack(), menu["message_id"])
    return await me.screen()


async def test_a_group_follows_the_tenant_until_it_gets_its_own_hours(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await store.groups.ensure(tenant.id, "sales", "Отдел продаж", notify=True)
    await store.schedules.set_tenant(tenant.id, hours="Mon-Fri 09:00-18:00", off_hours="digest")
    screen = await open_group(me, tenant.id, "sales")
    assert screen.startswith("Группа «Отдел продаж»")
    assert "Рабочие часы: как у компании" in screen and "Тема в форуме: нет" in screen
    await me.press("Рабочие часы группы")
    screen = await me.screen()
    assert "Как у компании: Mon-Fri 09:00-18:00" in screen and "сводка утром" in screen
    assert "↩️ Как у компании" not in await me.labels()

    await me.press("Свои часы")
    assert "Отдел продаж" in await me.screen() and "Mon-Fri 09:00-18:00" in await me.screen()
    assert "Не понял часы" in await me.say("Mon 25:00-26:00")  # the tenant's error text
    assert not (await store.schedules.effective(tenant.id, "sales")).from_group
    await me.say("sat-sun 10:00-16:00\n2027-01-01", answers=2)
    setting = await store.schedules.effective(tenant.id, "sales")
    assert setting.from_group and setting.hours == "Sat-Sun 10:00-16:00"
    assert setting.holidays == ("2027-01-01",)
    screen = await me.screen()
    assert "Свои часы: Sat-Sun 10:00-16:00" in screen and "2027-01-01" in screen
    assert "сводка утром (как у компании)" in screen
    # The tenant's own hours and the other groups are untouched.
    assert (await store.schedules.tenant(tenant.id)).hours == "Mon-Fri 09:00-18:00"
    assert not (await store.schedules.effective(tenant.id, "default")).from_group

    assert await me.press("Как у компании") == "Группа работает по часам компании."
    setting = await store.schedules.effective(tenant.id, "sales")
    assert not setting.from_group and setting.holidays == ()
    assert "Как у компании: Mon-Fri 09:00-18:00" in await me.screen()
    journal = [(e.action, e.detail) for e in await store.audit.recent(tenant.id, 0, 10)]
    assert ("group.hours", "Отдел продаж: Sat-Sun 10:00-16:00") in journal
    assert ("group.hours", "Отдел продаж: -") in journal


async def test_a_dash_takes_the_group_back_to_the_tenant(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await store.schedules.set_group(tenant.id, "default", hours="Mon 09:00-12:00")
    assert "свои (Mon 09:00-12:00)" in await open_group(me, tenant.id, "default")
    await me.press("Рабочие часы группы")
    await me.press("Свои часы")
    assert "Группа работает по часам компании." in await me.say("-", answers=2)
    assert not (await store.schedules.effective(tenant.id, "default")).from_group
    assert "Как у компании: круглосуточно" in await me.screen()


async def test_cancel_leaves_the_hours_as_they_were(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await open_group(me, tenant.id, "default")
    await me.press("Рабочие часы группы")
    await me.press("Свои часы")
    await me.press("Отмена")
    await me.say("Mon-Fri 09:00-18:00")  # no dialogue any more: not taken as hours
    assert not (await store.schedules.effective(tenant.id, "default")).from_group


async def test_the_back_buttons_lead_to_the_group_and_the_list(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await open_group(me, tenant.id, "default")
    await me.press("Рабочие часы группы")
    await me.press("К группе")
    assert (await me.screen()).startswith("Группа «Основная группа»")
    await me.press("« Группы")
    assert "«Оповещать о пропущенных вызовах в Telegram»" in await me.screen()
