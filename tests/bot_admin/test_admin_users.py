"""«Пользователи»: by group, pages of ten, a card with On/Off, groups and delete; adding one."""

from __future__ import annotations

from store.models import SubStatus


async def test_subscribers_by_group_in_pages_of_ten(signed_in, store, acme, clock):
    me, tenant = signed_in, acme[0]
    await store.groups.ensure(tenant.id, "sales", "Продажи", notify=True)
    for i in range(25):
        await store.subs.activate(tenant.id, 10_000 + i, f"Сотрудник {i:02d}")
        clock.advance(60)
    for i in range(25):
        only = "sales" if i < 5 else "default"
        await store.subs.set_groups(tenant.id, 10_000 + i, frozenset({only}))
    await me.press("Пользователи")
    screen = await me.screen()
    assert (
        screen.startswith("Управление списком пользователей")
        and "Всего пользователей: 25" in screen
    )
    labels = await me.labels()
    assert "Основная группа (20)" in labels and "Продажи (5)" in labels
    assert "Все пользователи (25)" in labels and "➕ Добавить пользователя" in labels

    await me.press("Все пользователи")
    screen = await me.screen()
    assert "Имя — Текущий статус — Дата изменения статуса" in screen
    assert "1. Сотрудник 00 — Уведомления подключены — 15.01.2027 11:00" in screen  # Moscow
    assert "10. Сотрудник 09" in screen and "11." not in screen
    assert "1/3" in await me.labels()
    await me.press("▶")
    await me.press("▶")
    screen = await me.screen()
    assert "21. Сотрудник 20" in screen and "25. Сотрудник 24" in screen

    await me.press("« Пользователи")
    await me.press("Продажи (5)")
    screen = await me.screen()
    assert "Группа «Продажи»: пользователей 5" in screen and "Сотрудник 05" not in screen


async def test_card_on_off_tells_the_user(signed_in, world, store, acme, engine):
    me, tenant = signed_in, acme[0]
    uid = await world.user("Анна")
    await world.ask(world.default, uid, f"/activate {acme[1]}")
    await me.say("/menu")
    await me.press("Пользователи")
    await me.press("Все пользователи")
    await me.press("1. Анна")
    card = await me.screen()
    assert "Имя: Анна" in card and f"chatid: {uid}" in card
    assert "Текущий статус: Уведомления подключены" in card and "Дата изменения статуса:" in card

    notice = await me.press("Выключить (Off)")
    assert notice == "Текущий статус: Отключено администратором"
    assert (await store.subs.get(tenant.id, uid)).status is SubStatus.DISABLED
    assert "Текущий статус: Отключено администратором" in await me.screen()
    await world.receives(uid, world.default, "Отключено администратором\nКомпания: Acme")
    # The user cannot undo it.
    assert "Отключено администратором" in await world.ask(world.default, uid, f"/active {acme[1]}")

    await me.press("Включить (On)")
    assert (await store.subs.get(tenant.id, uid)).status is SubStatus.ACTIVE
    await world.receives(uid, world.default, "Уведомления подключены\nКомпания: Acme")


async def test_groups_a_subscriber_follows_are_checkboxes(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await store.groups.ensure(tenant.id, "sales", "Продажи", notify=True)
    await store.subs.activate(tenant.id, 555, "Анна")
    await me.press("Пользователи")
    await me.press("Все пользователи")
    await me.press("1. Анна")
    await me.press("Группы")
    assert await me.labels() == [
        "☑ Все группы (и новые)", "☑ Основная группа", "☑ Продажи", "« К пользователю"
    ]  # fmt: skip
    await me.press("Продажи")
    assert (await store.subs.get(tenant.id, 555)).groups == frozenset({"default"})
    assert await me.labels() == [
        "☐ Все группы (и новые)", "☑ Основная группа", "☐ Продажи", "« К пользователю"
    ]  # fmt: skip
    await me.press("Все группы")
    assert (await store.subs.get(tenant.id, 555)).groups is None
    await me.press("« К пользователю")
    assert "Группы: все группы" in await me.screen()


async def test_delete_asks_first(signed_in, store, acme, buttons):
    me, tenant = signed_in, acme[0]
    await store.subs.activate(tenant.id, 555, "Анна")
    await me.press("Пользователи")
    await me.press("Все пользователи")
    await me.press("1. Анна")
    card = await me.menu()
    await me.press("Удалить")
    assert "Удалить пользователя «Анна»?" in await me.screen()
    await me.press("Нет, назад")
    assert await store.subs.find(tenant.id, 555) is not None
    await me.press("Удалить")
    assert await me.press("Да, удалить") == "Пользователь «Анна» удалён."
    assert await store.subs.find(tenant.id, 555) is None
    assert "Пока никого нет." in await me.screen()
    # The card's buttons now point at nobody: a short notice, no error.
    old = await me.forge(*(data for _, data in buttons(card)))
    assert await me.press("0", old) == "Этого пользователя уже нет в списке."


async def test_add_user_survives_a_restart_and_greets(
    world, runtimes, acme, store, engine, admin_of
):
    tenant, key = acme
    first = await runtimes("one")
    uid = await world.user("Админ")
    employee = await world.user("Борис")  # started the default bot, never /activate
    me = admin_of(world.default, uid)
    await me.say(f"/admin {key}", answers=2)
    await me.press("Пользователи")
    await me.press("Добавить пользователя")
    assert "Введите «Имя»" in await me.screen()
    assert "Введите «chatid»" in await me.say("Борис Петров")
    await first.stop()

    await runtimes("two")
    assert "целое число" in await me.say("не число")
    saved = await me.say(str(employee), answers=2)
    assert f"Пользователь «Борис Петров» (chatid {employee}) сохранён" in saved
    sub = await store.subs.get(tenant.id, employee)
    assert (sub.status, sub.name) == (SubStatus.ACTIVE, "Борис Петров")
    assert "Имя: Борис Петров" in await me.screen()  # the new user's card
    await world.receives(employee, world.default, "подключил вам уведомления")


async def test_add_user_nobody_can_reach_yet(signed_in, store, acme):
    me = signed_in
    await me.press("Пользователи")
    await me.press("Добавить пользователя")
    await me.say("Группа склада")
    saved = await me.say("-1001234567890", answers=2)
    assert "сохранён" in saved and "не может написать" in saved and "@PerezvonBot" in saved
    assert (await store.subs.get(acme[0].id, -1001234567890)).status is SubStatus.ACTIVE


async def test_the_admin_sets_and_clears_a_subscribers_extension(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await store.subs.activate(tenant.id, 10_500, "Ольга")
    await me.press("Пользователи")
    await me.press("Все пользователи")
    await me.press("1. Ольга")
    assert "Внутренний номер: не указан" in await me.screen()
    await me.press("Внутренний номер")
    assert "2–16 цифр" in await me.screen()
    assert "от 2 до 16 цифр" in await me.say("сто два")
    saved = await me.say("102", answers=2)
    assert "Сохранено." in saved and "Внутренний номер: 102" in saved
    assert (await store.subs.get(tenant.id, 10_500)).extension == "102"
    await me.press("Внутренний номер")
    assert "Внутренний номер: не указан" in await me.say("-", answers=2)
    assert (await store.subs.get(tenant.id, 10_500)).extension == ""
