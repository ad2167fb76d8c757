"""«Пригласить»: an invite made from presets subscribes through its link; the list revokes it;
the key-activation switch; «Журнал» shows who did what."""

from __future__ import annotations

import logging
import re

from store.models import DEFAULT_GROUP


async def _new_invite(me, group: str, uses: str, days: str) -> str:
    await me.press("Пригласить")
    assert "Приглашений пока нет." in await me.screen()
    await me.press("Новое приглашение")
    assert "на какие группы" in await me.screen()
    await me.press(group)
    await me.press(uses)
    assert "Сколько действует" in await me.screen()
    assert await me.press(days) == "Приглашение создано."
    texts = [m.get("text", "") for m in await me.messages()]
    created = next(t for t in reversed(texts) if t.startswith("Приглашение "))
    return re.search(r"https://t\.me/\S+", created).group(0)


async def test_an_invite_from_the_menu_subscribes_its_user_to_the_group(
    world, runtimes, acme, store, signed_in, caplog
):
    caplog.set_level(logging.DEBUG)
    tenant, _ = acme
    await store.groups.ensure(tenant.id, "sales", "Продажи", notify=True)
    me = signed_in
    link = await _new_invite(me, "Продажи", "1 раз", "7 дней")
    assert link.startswith(f"https://t.me/{world.default.username}?start=pzi_")
    code = link.split("start=", 1)[1]
    screen = await me.screen()
    assert "действует: использовано 0, осталось 1" in screen and "Продажи" in screen

    employee = await world.user("Сотрудник", start=False)
    answer = await world.ask(world.default, employee, f"/start {code}")
    assert answer.startswith("Отправка уведомлений активирована.") and "Группа: Продажи" in answer
    assert (await store.subs.get(tenant.id, employee)).groups == frozenset({"sales"})
    again = await world.user("Второй", start=False)
    assert "уже использовано" in await world.ask(world.default, again, f"/start {code}")
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert code not in logged
    stored = []
    async for key in store.redis.scan_iter(count=500):
        kind = await store.redis.type(key)
        if kind == "hash":
            stored.append(str(await store.redis.hgetall(key)))
        elif kind == "string":
            stored.append(str(await store.redis.get(key)))
        elif kind in ("list", "stream"):
            stored.append(str(await store.redis.lrange(key, 0, -1) if kind == "list" else
                              await store.redis.xrange(key)))  # fmt: skip
        stored.append(key)
    assert code not in "\n".join(stored)


async def test_revoke_from_the_list_and_the_key_activation_switch(
    world, runtimes, acme, store, signed_in
):
    tenant, key = acme
    me = signed_in
    link = await _new_invite(me, "все группы", "10 раз", "1 день")
    code = link.split("start=", 1)[1]
    inv = (await store.invites.list(tenant.id))[0]
    await me.press(f"Отозвать {inv.id}")
    assert "Ссылка перестанет работать" in await me.screen()
    assert await me.press("Да, отозвать") == f"Приглашение {inv.id} отозвано."
    assert "отозвано" in await me.screen()
    user = await world.user("Сотрудник", start=False)
    assert "отозвано администратором" in await world.ask(world.default, user, f"/start {code}")

    assert "включено" in await me.screen()
    assert "выключено" in await me.press("Подключение по ключу")
    assert (await store.tenants.get(tenant.id)).key_activation is False
    answer = await world.ask(world.default, user, f"/activate {key}")
    assert "только по приглашениям" in answer
    assert await me.press("Подключение по ключу") == "Подключение по ключу API включено."
    assert (await world.ask(world.default, user, f"/activate {key}")).startswith(
        "Отправка уведомлений активирована."
    )


async def test_the_journal_lists_menu_and_cli_actions(world, runtimes, acme, store, signed_in):
    from store.audit import Actor

    tenant, _ = acme
    me = signed_in
    await me.press("Группы")
    await me.press("Основная группа")  # switch the default group off
    assert (await store.groups.get(tenant.id, DEFAULT_GROUP)).notify is False
    await me.press("Меню")
    await store.audit.record(tenant.id, Actor.cli(), "token.create", "pbx1")
    await me.press("Журнал")
    screen = await me.screen()
    lines = screen.splitlines()
    assert lines[0] == "Журнал действий администраторов (последние 100)"
    assert "командная строка: токен АТС создан — pbx1" in lines[2]
    assert "Админ: оповещения группы — Основная группа ⬜" in lines[3]
    assert "Админ: вход в меню" in lines[4]
    entries = await store.audit.recent(tenant.id)
    assert entries[1].user_id == me.uid and entries[1].action == "group.notify"


async def test_the_journal_pages_through_the_last_100(world, runtimes, acme, store, signed_in):
    from store.audit import Actor

    tenant, _ = acme
    for i in range(120):
        await store.audit.record(tenant.id, Actor.cli(), "tenant.set", f"n={i}")
    me = signed_in
    await me.press("Журнал")
    assert "n=119" in await me.screen() and "1/10" in await me.labels()
    await me.press("▶")
    assert "n=109" in await me.screen() and "n=119" not in await me.screen()


async def test_rotation_and_user_changes_are_journaled_without_secrets(
    world, runtimes, acme, store, signed_in
):
    tenant, old_key = acme
    me = signed_in
    uid = await world.user("Вера")
    await store.subs.activate(tenant.id, uid, "Вера")
    await me.press("Пользователи")
    await me.press("Все пользователи")
    await me.press("Вера")
    await me.press("Выключить")
    await me.say("/menu")
    await me.press("Ключ для API")
    await me.press("Заменить ключ")
    assert await store.audit.count(tenant.id) == 2  # a confirmation alone records nothing
    await me.press("Да, заменить")
    entries = await store.audit.recent(tenant.id)
    assert [e.action for e in entries] == ["key.rotate", "user.switch", "admin.login"]
    assert entries[1].detail == f"Вера ({uid}) ⬜"
    new_key = (await store.tenants.resolve_key(old_key)) is None
    dump = str([e.as_dict() for e in entries])
    assert new_key and old_key not in dump and "pzv_" not in dump
