"""Authorization on every press: forged buttons never reach another tenant's data, and stale
or foreign payloads get a short notice, never an error."""

from __future__ import annotations

from bot.keyboards import admin as kb
from store.models import BotStatus, SubStatus


async def test_forged_buttons_cannot_touch_another_tenant(
    signed_in, world, store, acme, globex, engine
):
    me, other = signed_in, globex[0]
    await store.groups.ensure(other.id, "sales", "Sales", notify=True)
    await store.subs.activate(other.id, 777, "Victim")
    bot = await store.bots.add(other.id, "G", world.globex.token, "GlobexBot", world.globex.id)
    forged = [
        kb.Menu(other.id),
        kb.Groups(other.id),
        kb.GroupSet(other.id, kb.gref("sales"), False),
        kb.GroupNewOn(other.id, kb.gref("sales")),
        kb.Users(other.id),
        kb.UserList(other.id, kb.ALL),
        kb.UserCard(other.id, 777, kb.ALL),
        kb.UserSwitch(other.id, 777, False, kb.ALL),
        kb.UserFollow(other.id, 777, kb.ALL, False, kb.ALL),
        kb.UserDelete(other.id, 777, True, kb.ALL),
        kb.UserAdd(other.id),
        kb.Bots(other.id),
        kb.BotSwitch(other.id, bot.id, True),
        kb.BotDelete(other.id, bot.id, True),
        kb.BotAdd(other.id),
        kb.ApiKey(other.id),
        kb.ApiKeyRotate(other.id, True),
        kb.Dead(other.id),
        kb.DeadRetry(other.id, kb.ALL),
        kb.Logout(other.id),
    ]
    message = await me.forge(*(p.pack() for p in forged))
    for payload in forged:
        notice = await me.press_data(payload.pack(), message["message_id"])
        assert notice == "Вы не администратор этой компании. Войдите: /admin <ключ API>", payload
    assert (await store.groups.get(other.id, "sales")).notify
    assert (await store.subs.get(other.id, 777)).status is SubStatus.ACTIVE
    assert (await store.subs.get(other.id, 777)).groups is None
    assert (await store.bots.get(other.id, bot.id)).status is BotStatus.OFF
    assert await store.tenants.resolve_key(globex[1]) is not None
    # Nothing was edited into the forged message, no menu of the other tenant was sent.
    assert (await me.messages())[-1]["text"] == "forged"


async def test_own_tenant_with_a_foreign_object_is_stale(signed_in, world, store, acme, globex):
    me, mine, other = signed_in, acme[0], globex[0]
    await store.groups.ensure(other.id, "sales", "Sales", notify=True)
    await store.subs.activate(other.id, 777, "Victim")
    forged = [
        kb.GroupSet(mine.id, kb.gref("sales"), False),  # Globex's group, under Acme's id
        kb.UserSwitch(mine.id, 777, False, kb.ALL),
        kb.UserDelete(mine.id, 777, True, kb.ALL),
        kb.BotSwitch(mine.id, "99", True),
    ]
    message = await me.forge(*(p.pack() for p in forged))
    notices = [await me.press_data(p.pack(), message["message_id"]) for p in forged]
    assert notices == [
        "Этого уже нет. Откройте меню заново.",
        "Этого пользователя уже нет в списке.",
        "Этого пользователя уже нет в списке.",
        "Этого бота уже нет в списке.",
    ]
    assert (await store.groups.get(other.id, "sales")).notify
    assert (await store.subs.get(other.id, 777)).status is SubStatus.ACTIVE


async def test_garbage_payloads_get_a_notice(signed_in):
    me = signed_in
    payloads = ["am", "am:1:2", "ags:1:x:maybe:0", "auc:1:notanint:*:0"]
    message = await me.forge(*payloads)
    for data in payloads:
        notice = await me.press_data(data, message["message_id"])
        assert notice == "Эта кнопка устарела. Откройте меню: /menu", data
