"""«Перезвон» in the admin menu: the escalation delay and the callback window, one tap each."""

from __future__ import annotations


async def test_follow_up_settings_from_the_menu(world, runtimes, acme, store, admin_of):
    tenant, key = acme
    await runtimes()
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {key}", answers=2)
    await me.press("Перезвон")
    screen = await me.screen()
    assert "сообщить администраторам: 15" in screen and "(ч): 24" in screen
    assert "✅ 15" in await me.labels() and "✅ 24" in await me.labels()
    assert await me.press("выкл") == "Сохранено."
    assert await me.press("48") == "Сохранено."
    changed = await store.tenants.get(tenant.id)
    assert (changed.escalate_after, changed.callback_window) == (0, 48)
    assert "администраторам: выкл" in await me.screen()
    assert "✅ выкл" in await me.labels() and "✅ 48" in await me.labels()


async def test_a_groups_escalation_chat_from_the_menu(world, runtimes, acme, store, admin_of):
    tenant, key = acme
    await store.groups.ensure(tenant.id, "sales", "Продажи", notify=True)
    await runtimes()
    uid = await world.user("Админ")
    me = admin_of(world.default, uid)
    await me.say(f"/admin {key}", answers=2)
    await me.press("Перезвон")
    assert "⚠️ Продажи: выкл" in await me.labels()
    await me.press("⚠️ Продажи")
    assert "chatid группы Telegram" in await me.screen()
    assert "целое число" in await me.say("дежурные")
    assert "Бот не видит этот чат" in await me.say("-1009999999999")
    room = await world.tg.create_group("Дежурные", admins=[uid], bots=[world.default.id])
    saved = await me.say(str(room["id"]), answers=2)
    assert "Сохранено." in saved and f"⚠️ Продажи: {room['id']}" in await me.labels()
    assert (await store.groups.get(tenant.id, "sales")).escalation_chat == room["id"]
    await me.press("⚠️ Продажи")
    await me.say("-", answers=2)
    assert (await store.groups.get(tenant.id, "sales")).escalation_chat == 0
