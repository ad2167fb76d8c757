"""Signing in with the API key, the main menu, several tenants, signing out."""

from __future__ import annotations

from store.crypto import API_KEY_PREFIX


async def test_admin_key_signs_in_and_its_message_is_deleted(
    world, runtimes, acme, store, admin_of
):
    await runtimes()
    tenant, key = acme
    uid = await world.user("Админ")
    me = admin_of(world.default, uid)
    answer = await me.say(f"/admin {key}", answers=2)
    assert "Вы администратор компании «Acme»" in answer
    assert "Сообщение с ключом удалено" in answer
    assert await store.admins.is_admin(tenant.id, uid)
    records = await world.tg.message_records(uid, world.default.id, include_users=True)
    assert not [r for r in records["messages"] if key in r["message"].get("text", "")]
    screen = await me.screen()
    assert screen.startswith("Меню администратора\nКомпания: Acme")
    assert "Пользователей: 0" in screen and "@PerezvonBot" in screen
    assert await me.labels() == [
        "Группы", "Пользователи", "Боты", "Ключ для API", "🕘 Рабочие часы", "📊 Отчёт",
        "🔗 Пригласить", "📜 Журнал", "Подключения АТС", "Перезвон",
        "Недоставленные (0)", "Выйти",
    ]  # fmt: skip


async def test_wrong_keys_explain_and_share_the_activate_throttle(
    world, runtimes, acme, clock, admin_of
):
    await runtimes()
    uid = await world.user("Админ")
    me = admin_of(world.default, uid)
    malformed = await me.say("/admin 12345")
    assert "Это не ключ API" in malformed and API_KEY_PREFIX in malformed
    clock.advance(1)  # the throttle counts failures by timestamp: one per instant
    assert "Ключ не подошёл" in await me.say("/admin " + API_KEY_PREFIX + "A" * 32)
    for i in range(4):
        clock.advance(1)
        await world.ask(world.default, uid, f"/activate {API_KEY_PREFIX}{i:032d}")
    locked = await me.say(f"/admin {acme[1]}")
    assert "Слишком много неверных ключей" in locked
    clock.advance(601)
    assert "Вы администратор" in await me.say(f"/admin {acme[1]}", answers=2)


async def test_menu_command_opens_the_menu_or_explains(world, runtimes, acme, admin_of):
    await runtimes()
    uid = await world.user("Админ")
    me = admin_of(world.default, uid)
    assert "/admin <ключ API>" in await me.say("/menu")
    await me.say(f"/admin {acme[1]}", answers=2)
    assert (await me.say("/menu")).startswith("Меню администратора")
    assert (await me.say("/admin")).startswith("Меню администратора")


async def test_only_in_private_chats(world, runtimes, acme, store):
    await runtimes()
    uid = await world.user("Админ")
    group = await world.tg.create_group("Офис", members=[uid], bots=[world.default.id])
    before = len(await world.tg.messages(group["id"], world.default.id))
    await world.tg.send_text(world.default.username, uid, f"/admin {acme[1]}", group["id"])
    got = await world.tg.wait_for_messages(group["id"], before + 1, bot_id=world.default.id)
    assert "только в личном чате" in got[-1]["text"]
    assert not await store.admins.is_admin(acme[0].id, group["id"])


async def test_several_tenants_pick_one_first(world, runtimes, acme, globex, admin_of):
    await runtimes()
    uid = await world.user("Админ")
    me = admin_of(world.default, uid)
    await me.say(f"/admin {acme[1]}", answers=2)
    await me.say(f"/admin {globex[1]}", answers=2)
    assert (await me.screen()).startswith("Admin menu\nCompany: Globex")  # Globex speaks en
    assert "« Companies" in await me.labels()
    picker = await me.say("/menu")
    assert "Выберите компанию" in picker
    assert await me.labels() == ["Acme", "Globex"]
    await me.press("Acme")
    assert (await me.screen()).startswith("Меню администратора\nКомпания: Acme")
    await me.press("« Компании")
    assert await me.labels() == ["Acme", "Globex"]


async def test_a_custom_bot_administers_only_its_own_tenant(
    world, runtimes, acme, globex, store, admin_of
):
    tenant = acme[0]
    bot = await store.bots.add(tenant.id, "Acme", world.acme.token, "AcmeBot", world.acme.id)
    await store.bots.activate(tenant.id, bot.id)
    await runtimes()
    uid = await world.user("Админ", start=False)
    me = admin_of(world.acme, uid)
    refused = await me.say(f"/admin {globex[1]}")
    assert "принимает только ключ API своей компании" in refused and "@PerezvonBot" in refused
    assert not await store.admins.is_admin(globex[0].id, uid)
    # The bot's owner reads what is typed to it: a wrong key gets the very same answer.
    assert await me.say("/admin pzv_" + "Q" * 32) == refused
    assert "Вы администратор компании «Acme»" in await me.say(f"/admin {acme[1]}", answers=2)


async def test_logout_ends_the_session_and_old_buttons_say_so(signed_in, store, acme):
    me = signed_in
    menu = await me.menu()
    assert "Вы вышли" in await me.say("/logout")
    assert not await store.admins.is_admin(acme[0].id, me.uid)
    notice = await me.press("Группы", menu)
    assert notice is not None and "Вы не администратор" in notice
    assert "не входили" in await me.say("/logout")


async def test_sign_out_button(signed_in, store, acme):
    me = signed_in
    notice = await me.press("Выйти")
    assert notice == "Вы вышли из меню администратора."
    assert (await me.messages())[-1]["text"] == "Вы вышли из меню администратора компании «Acme»."
    assert not await store.admins.is_admin(acme[0].id, me.uid)
