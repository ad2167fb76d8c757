"""«Рабочие часы» in the admin menu: the summary, one-tap mode, hours typed in a dialogue."""

from __future__ import annotations

from store.hours import OffHours


async def test_the_screen_shows_the_hours_and_a_tap_changes_the_mode(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await store.schedules.set_tenant(
        tenant.id, hours="Mon-Fri 09:00-18:00", holidays=["2027-01-01"], silence_alert=7200
    )
    await me.press("Рабочие часы")
    screen = await me.screen()
    assert screen.startswith("Рабочие часы (")  # a plain-text menu: no markup shown as tags
    assert "Mon-Fri 09:00-18:00" in screen and "2027-01-01" in screen
    assert "уведомлять как обычно" in screen and "2h" in screen
    assert "✓ уведомлять как обычно" in await me.labels()
    assert await me.press("сводка утром") == "Сохранено."
    assert (await store.schedules.tenant(tenant.id)).off_hours is OffHours.DIGEST
    assert "✓ сводка утром" in await me.labels()  # the screen is edited in place
    assert "В нерабочее время: сводка утром" in await me.screen()


async def test_hours_are_typed_checked_and_saved(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await me.press("Рабочие часы")
    await me.press("Часы")
    assert "Mon-Fri 09:00-18:00" in await me.screen()  # the prompt's example
    assert "Не понял часы" in await me.say("Mon 25:00-26:00")
    assert (await store.schedules.tenant(tenant.id)).hours == ""
    await me.say("mon-fri 9:00-18:00; sat 10:00-14:00\n2027-01-01, 2027-01-07", answers=2)
    setting = await store.schedules.tenant(tenant.id)
    assert setting.hours == "Mon-Fri 09:00-18:00; Sat 10:00-14:00"
    assert setting.holidays == ("2027-01-01", "2027-01-07")
    assert "Mon-Fri 09:00-18:00; Sat 10:00-14:00" in await me.screen()
    # "-" switches the hours off: around the clock.
    await me.press("Часы")
    await me.say("-", answers=2)
    assert (await store.schedules.tenant(tenant.id)).hours == ""
    assert "круглосуточно" in await me.screen()


async def test_the_main_menu_leads_there(signed_in):
    assert "🕘 Рабочие часы" in await signed_in.labels()


async def test_the_screen_says_when_the_pbx_was_last_heard(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await me.press("Рабочие часы")
    assert "АТС: событий ещё не было" in await me.screen()
    await store.heartbeats.beat(tenant.id)
    await me.press("Меню")
    await me.press("Рабочие часы")
    assert "АТС: последнее событие" in await me.screen()
    await store.heartbeats.raise_alarm(tenant.id, 0.0)
    await me.press("Меню")
    await me.press("Рабочие часы")
    assert "⚠️ АТС молчит с" in await me.screen()


async def test_the_silent_pbx_alert_in_one_tap(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await me.press("Рабочие часы")
    assert "✓ выключена" in await me.labels()
    assert await me.press("2h") == "Сохранено."
    assert (await store.schedules.tenant(tenant.id)).silence_alert == 7200
    assert "✓ 2h" in await me.labels() and "Тревога при молчании АТС: 2h" in await me.screen()
    await me.press("выключена")
    assert (await store.schedules.tenant(tenant.id)).silence_alert == 0
