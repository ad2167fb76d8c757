"""Every press is answered (also when its handler fails, also a button of an older version),
and screens stay within Telegram's limits however much there is to show."""

from __future__ import annotations

import re

from bot.handlers.admin import router
from bot.keyboards import admin as kb


async def test_a_failing_press_is_still_answered(signed_in, monkeypatch, caplog):
    me = signed_in

    async def broken(update, ctx, s, data):
        raise RuntimeError("the screen could not be built")

    monkeypatch.setitem(router.ROUTES, kb.Groups, broken)
    notice = await me.press("Группы")
    assert notice == "Не получилось. Попробуйте ещё раз чуть позже."
    assert "the screen could not be built" in caplog.text  # the error handler still logs it


async def test_a_button_of_an_older_version_is_answered(signed_in):
    me = signed_in
    message = await me.forge("zz:1:2", "am")  # a prefix nobody knows; a kind missing its tenant
    assert await me.press_data("zz:1:2", message["message_id"]) == "Эта кнопка устарела."
    assert await me.press_data("am", message["message_id"]) == (
        "Эта кнопка устарела. Откройте меню: /menu"
    )


async def test_a_subscriber_following_many_long_named_groups_fits_one_card(signed_in, store, acme):
    me, tid = signed_in, acme[0].id
    names = [f"{i:03d} " + "Отдел продаж и сопровождения клиентов " * 6 for i in range(40)]
    for i, name in enumerate(names):
        await store.groups.ensure(tid, f"g{i}", name[:256])
    await store.subs.activate(tid, 777, "Иван")
    await store.subs.set_groups(tid, 777, frozenset(f"g{i}" for i in range(40)))
    message = await me.forge(kb.UserCard(tid, 777, kb.ALL, 0).pack())
    await me.press_data(kb.UserCard(tid, 777, kb.ALL, 0).pack(), message["message_id"])
    card = await me.screen()
    assert card.startswith("Имя: Иван") and len(card) <= 4096
    shown = len(re.findall(r"\d{3} Отдел", card))
    assert 0 < shown < 40 and card.endswith(f" и ещё {40 - shown}")


async def test_the_tenant_picker_pages_ten_at_a_time(world, runtimes, store, admin_of):
    await runtimes()
    uid = await world.user("Админ")
    for i in range(23):
        tenant, _ = await store.tenants.create(f"Компания {i:02d}", "Europe/Moscow", "ru")
        await store.admins.grant(tenant.id, uid)
    me = admin_of(world.default, uid)
    await me.say("/menu")
    first = await me.labels()
    assert first[:10] == [f"Компания {i:02d}" for i in range(10)]
    assert first[10:] == ["1/3", "▶"]
    await me.press("▶")
    assert (await me.labels())[:10] == [f"Компания {i:02d}" for i in range(10, 20)]
    await me.press("▶")
    assert await me.labels() == [f"Компания {i:02d}" for i in range(20, 23)] + ["◀", "3/3"]
    await me.press("Компания 21")
    assert (await me.screen()).startswith("Меню администратора\nКомпания: Компания 21")
