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
