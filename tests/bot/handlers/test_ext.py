"""/ext through real PTB against the emulator: show, set, refuse, clear; private chats only."""

from __future__ import annotations


async def test_ext_sets_shows_and_clears_the_subscribers_extension(store, world, runtimes):
    tenant, _ = await store.tenants.create("Ромашка", "Europe/Moscow", "ru")
    await runtimes()
    uid = await world.user("Ольга")
    await world.ask(world.default, uid, "/start")
    assert "подпишитесь" in await world.ask(world.default, uid, "/ext")
    await store.subs.activate(tenant.id, uid, "Ольга")

    assert "не указан" in await world.ask(world.default, uid, "/ext")
    assert "102" in await world.ask(world.default, uid, "/ext 102")
    assert (await store.subs.get(tenant.id, uid)).extension == "102"
    assert "Ваш внутренний номер: 102" in await world.ask(world.default, uid, "/ext")
    assert "от 2 до 16 цифр" in await world.ask(world.default, uid, "/ext 10a")
    assert (await store.subs.get(tenant.id, uid)).extension == "102"
    assert "убран" in await world.ask(world.default, uid, "/ext off")
    assert (await store.subs.get(tenant.id, uid)).extension == ""


async def test_ext_in_a_group_chat_is_refused(store, world, runtimes):
    tenant, _ = await store.tenants.create("Ромашка", "Europe/Moscow", "ru")
    await runtimes()
    uid = await world.user("Ольга")
    group = (await world.tg.create_group("Отдел", admins=[uid], bots=[world.default.id]))["id"]
    await store.subs.activate(tenant.id, group, "Отдел")
    reply = await world.ask(world.default, uid, "/ext 102", chat_id=group)
    assert "в личном чате" in reply
    assert (await store.subs.get(tenant.id, group)).extension == ""
