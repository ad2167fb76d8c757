"""/quiet: personal quiet hours set, shown and switched off through PTB and the emulator."""

from __future__ import annotations

from telegram import Bot


async def test_set_show_and_switch_off(world, runtimes, store, tenants):
    await runtimes()
    acme, globex = tenants["acme"], tenants["globex"]
    uid = await world.user("Вера")
    await store.subs.activate(acme.id, uid, "Вера")
    await store.subs.activate(globex.id, uid, "Вера")
    assert "Тихие часы не заданы" in await world.ask(world.default, uid, "/quiet")
    answer = await world.ask(world.default, uid, "/quiet 22:00-8:00")
    assert "Тихие часы: 22:00-08:00" in answer and "без звука" in answer
    # Every company this chat follows through the bot keeps the window, each in its own zone.
    assert await store.schedules.quiet(acme.id, uid) == (1320, 1920)
    assert await store.schedules.quiet(globex.id, uid) == (1320, 1920)
    assert "/quiet off" in await world.ask(world.default, uid, "/quiet")
    assert "выключены" in await world.ask(world.default, uid, "/quiet off")
    assert await store.schedules.quiet(acme.id, uid) is None
    assert await store.schedules.quiet(globex.id, uid) is None


async def test_nonsense_and_strangers_change_nothing(world, runtimes, store, tenants):
    await runtimes()
    acme = tenants["acme"]
    uid = await world.user("Вера")
    assert "не подписаны" in await world.ask(world.default, uid, "/quiet 22:00-08:00")
    await store.subs.activate(acme.id, uid, "Вера")
    assert "Не понял время" in await world.ask(world.default, uid, "/quiet late")
    assert await store.schedules.quiet(acme.id, uid) is None


async def test_a_custom_bot_sets_only_its_tenants_window(world, runtimes, store, tenants):
    await runtimes()
    acme, globex = tenants["acme"], tenants["globex"]
    uid = await world.user("Вера")
    await world.ask(world.acme, uid, "/start")
    await store.subs.activate(acme.id, uid, "Вера")
    await store.subs.activate(globex.id, uid, "Вера")
    assert "22:00-08:00" in await world.ask(world.acme, uid, "/quiet 22:00-08:00", answers=1)
    assert await store.schedules.quiet(acme.id, uid) == (1320, 1920)
    assert await store.schedules.quiet(globex.id, uid) is None


async def test_in_a_group_only_admins_may(world, runtimes, store, tenants):
    await runtimes()
    admin, member = await world.user("Анна"), await world.user("Пётр")
    group = await world.tg.create_group(
        "Продажи", [admin, member], admins=[admin], bots=[world.default.id]
    )
    gid = group["id"]
    await store.subs.activate(tenants["acme"].id, gid, "Продажи")
    answer = await world.ask(world.default, member, "/quiet 22:00-08:00", chat_id=gid)
    assert "только её администраторы" in answer
    assert await store.schedules.quiet(tenants["acme"].id, gid) is None
    await world.ask(world.default, admin, "/quiet 22:00-08:00", chat_id=gid)
    assert await store.schedules.quiet(tenants["acme"].id, gid) == (1320, 1920)


async def test_in_the_command_menu_and_help(world, runtimes):
    await runtimes()
    uid = await world.user("Ann", lang="en")
    assert "/quiet 22:00-08:00 — " in await world.ask(world.default, uid, "/help")
    async with Bot(world.default.token, base_url=f"{world.base_url}/bot") as bot:
        commands = [c.command for c in await bot.get_my_commands()]
    assert "quiet" in commands
