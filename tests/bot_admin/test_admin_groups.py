"""«Группы»: one tap toggles the flag, followers hear about it; a new PBX group asks the admins."""

from __future__ import annotations

from delivery.intake import Intake
from store.events import CallEvent


async def test_toggle_tells_every_follower_naming_the_group(signed_in, world, store, acme, engine):
    me, tenant = signed_in, acme[0]
    await store.groups.ensure(tenant.id, "sales", "Отдел продаж", notify=True)
    follower, other = await world.user("Пётр"), await world.user("Ольга")
    for uid, name in ((follower, "Пётр"), (other, "Ольга")):
        await store.subs.activate(tenant.id, uid, name)
    await store.subs.set_groups(tenant.id, other, frozenset({"default"}))

    await me.press("Группы")
    screen = await me.screen()
    assert "«Оповещать о пропущенных вызовах в Telegram»" in screen
    assert "✅ Основная группа" in screen and "✅ Отдел продаж" in screen

    notice = await me.press("Отдел продаж")
    assert notice == "Группа «Отдел продаж»: оповещения выключены. Сообщили пользователям: 1."
    assert not (await store.groups.get(tenant.id, "sales")).notify
    assert "⬜ Отдел продаж" in await me.screen()  # edited in place
    got = await world.receives(follower, world.default, "Уведомления отключены")
    assert "Группа: Отдел продаж" in got and "Компания: Acme" in got

    await me.press("Отдел продаж")
    assert (await store.groups.get(tenant.id, "sales")).notify
    await world.receives(follower, world.default, "Уведомления подключены")
    await engine.stop()  # everything queued was sent: Ольга follows only the default group
    assert not [t for t in await world.texts(other, world.default) if "Уведомления" in t]


async def test_a_double_tap_on_an_old_button_changes_nothing(signed_in, store, acme, buttons):
    me, tenant = signed_in, acme[0]
    await me.press("Группы")
    menu = await me.menu()
    (data,) = [d for label, d in buttons(menu) if "Основная группа" in label]
    await me.press("Основная группа", menu)
    assert not (await store.groups.get(tenant.id, "default")).notify
    # The same button in an older copy of the menu: it says "off", the flag already is.
    old = await me.forge(data)
    notice = await me.press_data(data, old["message_id"])
    assert notice == "Группа «Основная группа»: оповещения выключены."
    assert not (await store.groups.get(tenant.id, "default")).notify


async def test_groups_page_by_ten(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    for i in range(12):
        await store.groups.ensure(tenant.id, f"g{i:02d}", f"Группа {i:02d}")
    await me.press("Группы")
    assert "1/2" in await me.labels()
    assert len([label for label in await me.labels() if label.startswith(("✅", "⬜"))]) == 10
    await me.press("▶")
    labels = await me.labels()
    assert "2/2" in labels and "⬜ Группа 10" in labels and "⬜ Группа 11" in labels


async def test_a_new_pbx_group_asks_the_admins_and_its_button_works(
    signed_in, world, store, acme, engine
):
    me, tenant = signed_in, acme[0]
    tenant = await store.tenants.set_options(tenant.id, new_groups=False)
    follower = await world.user("Пётр")
    await store.subs.activate(tenant.id, follower, "Пётр")
    receipt = await Intake(store).submit(tenant, CallEvent(call_id="c1", caller="100", group="q7"))
    assert receipt.outcome == "ignored"  # the tenant's new groups start switched off
    text = await world.receives(me.uid, world.default, "новой группе «q7»")
    message = next(m for m in await me.messages() if m.get("text") == text)

    notice = await me.press("Включить оповещения", message)
    assert notice == "Группа «q7»: оповещения включены. Сообщили пользователям: 1."
    assert (await store.groups.get(tenant.id, "q7")).notify
    await world.receives(follower, world.default, "Группа: q7")
    edited = next(m for m in await me.messages() if m["message_id"] == message["message_id"])
    assert edited["text"].startswith("Группа «q7»: оповещения включены.")


async def test_a_new_pbx_group_under_the_default_policy_notifies_and_can_be_switched_off(
    signed_in, world, store, acme, engine
):
    me, tenant = signed_in, acme[0]
    follower = await world.user("Пётр")
    await store.subs.activate(tenant.id, follower, "Пётр")
    receipt = await Intake(store).submit(tenant, CallEvent(call_id="c1", caller="100", group="q7"))
    assert receipt.outcome == "accepted"  # new groups notify at once unless the admin says not
    await world.receives(follower, world.default, "Группа: q7")
    text = await world.receives(me.uid, world.default, "новой группе «q7»")
    assert "включены" in text
    message = next(m for m in await me.messages() if m.get("text") == text)
    notice = await me.press("Выключить оповещения", message)
    assert notice.startswith("Группа «q7»: оповещения выключены.")
    assert not (await store.groups.get(tenant.id, "q7")).notify


async def test_the_policy_for_new_groups_is_a_toggle_on_the_groups_screen(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await me.press("Группы")
    assert "Новые группы, о которых сообщит АТС, сразу оповещают." in await me.screen()
    notice = await me.press("🆕 Новые группы от АТС: оповещать ✅")
    assert notice == "Теперь новые группы от АТС создаются выключенными."
    assert (await store.tenants.get(tenant.id)).new_groups is False
    assert "создаются с выключенными оповещениями" in await me.screen()
    assert "🆕 Новые группы от АТС: не оповещать ⬜" in await me.labels()
    await me.press("🆕 Новые группы от АТС: не оповещать ⬜")
    assert (await store.tenants.get(tenant.id)).new_groups is True


async def test_calls_ignored_this_week_are_shown_per_group(signed_in, store, acme, clock):
    me, tenant = signed_in, acme[0]
    await store.groups.ensure(tenant.id, "sales", "Продажи", notify=False)
    intake = Intake(store)
    for n in range(12):
        await intake.submit(tenant, CallEvent(call_id=f"s{n}", caller="100", group="sales"))
    await me.press("Группы")
    lines = (await me.screen()).splitlines()
    assert "⬜ Продажи — не оповещено о вызовах за 7 дней: 12" in lines
    assert "✅ Основная группа" in lines  # nothing ignored there: no count
    clock.advance(8 * 86_400)
    await me.press("« Меню")
    await me.press("Группы")
    assert "⬜ Продажи" in (await me.screen()).splitlines()


async def test_showing_the_same_screen_again_is_not_an_error(signed_in, store, acme, world):
    me, tenant = signed_in, acme[0]
    for i in range(12):
        await store.groups.ensure(tenant.id, f"g{i:02d}", f"Группа {i:02d}")
    await me.press("Группы")
    before = await me.screen()
    assert await me.press("1/2") is None  # the page it is on: "message is not modified"
    assert await me.screen() == before
    log = await world.tg.api_log(bot_id=world.default.id, method="editMessageText")
    assert "message is not modified" in log[-1]["description"]
