"""«Боты»: add with getMe (surviving a restart), one active at a time, invitations, off, delete."""

from __future__ import annotations

from store.models import BotStatus
from tests.bot_admin.conftest import eventually, start_engine


async def _start_adding(me) -> None:
    await me.press("Боты")
    assert "Управление списком телеграм ботов пользователя" in await me.screen()
    await me.press("Добавить бота")
    assert "Введите «Имя»" in await me.screen()


async def test_add_bot_survives_a_restart_and_checks_the_token(
    world, runtimes, acme, store, admin_of
):
    tenant, key = acme
    first = await runtimes("one")
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {key}", answers=2)
    await _start_adding(me)
    assert "Отправьте «Token»" in await me.say("Бот Acme")
    await first.stop()
    await runtimes("two")

    assert "Это не токен бота" in await me.say("hello")
    revoked = await world.new_bot("OldBot")
    await world.tg.revoke_token(revoked.id)
    assert "Telegram отклонил этот токен" in await me.say(revoked.token)
    assert "основной бот сервиса" in await me.say(world.default.token)
    added = await me.say(world.acme.token, answers=2)
    assert "Бот «Бот Acme» (@AcmeBot) добавлен. Статус: Выключен." in added
    assert "Статус: Выключен" in await me.screen()  # its card
    (bot,) = await store.bots.list(tenant.id)
    assert (bot.username, bot.tg_id, bot.status) == ("AcmeBot", world.acme.id, BotStatus.OFF)
    # Every message that carried a token is gone from the chat.
    records = await world.tg.message_records(me.uid, world.default.id, include_users=True)
    texts = [r["message"].get("text", "") for r in records["messages"]]
    assert not [t for t in texts if revoked.token in t or world.acme.token in t]
    assert not [t for t in texts if world.default.token in t]


async def test_one_token_once_across_tenants(world, runtimes, acme, globex, store, admin_of):
    await store.bots.add(globex[0].id, "G", world.acme.token, "AcmeBot", world.acme.id)
    await runtimes()
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {acme[1]}", answers=2)
    await _start_adding(me)
    await me.say("Мой бот")
    assert "уже зарегистрирован" in await me.say(world.acme.token)
    assert await store.bots.list(acme[0].id) == []


async def test_activate_switches_the_others_off_and_invites_subscribers(
    signed_in, world, store, acme, engine
):
    me, tenant = signed_in, acme[0]
    started_it, never = await world.user("Пётр"), await world.user("Ольга")
    for uid in (started_it, never):
        await store.subs.activate(tenant.id, uid, str(uid))
    await store.started.mark(world.acme.id, started_it)
    acme_bot = await store.bots.add(tenant.id, "Acme", world.acme.token, "AcmeBot", world.acme.id)
    globex = await store.bots.add(
        tenant.id, "Second", world.globex.token, "GlobexBot", world.globex.id
    )
    await store.bots.activate(tenant.id, globex.id)

    await me.press("Боты")
    screen = await me.screen()
    assert "Acme (@AcmeBot) — Статус: Выключен" in screen
    assert "Second (@GlobexBot) — Статус: Активен" in screen
    await me.press("Acme (@AcmeBot)")
    notice = await me.press("Включить")
    assert notice == (
        "Бот @AcmeBot активен. Пользователям, которые его ещё не открывали, отправлена ссылка: 1."
    )
    assert (await store.bots.get(tenant.id, acme_bot.id)).status is BotStatus.ACTIVE
    assert (await store.bots.get(tenant.id, globex.id)).status is BotStatus.OFF
    # Ольга never started @AcmeBot: the default bot brings her the deep link.
    link = await world.receives(never, world.default, "https://t.me/AcmeBot?start=hi")
    assert "«Старт»" in link
    # The bot answers commands at once: the runtime follows the store's change channel.
    assert "Здравствуйте" in await world.ask(world.acme, never, "/start hi")

    notice = await me.press("Выключить")
    assert notice == "Бот выключен. Уведомления присылает @PerezvonBot."
    assert await store.bots.active(tenant.id) is None


async def test_a_rejected_token_is_not_activated(signed_in, world, store, acme):
    me, tenant = signed_in, acme[0]
    doomed = await world.new_bot("DoomedBot")
    bot = await store.bots.add(tenant.id, "Doomed", doomed.token, "DoomedBot", doomed.id)
    await world.tg.revoke_token(doomed.id)
    await me.press("Боты")
    await me.press("Doomed")
    assert "Telegram отклонил токен бота @DoomedBot" in await me.press("Включить")
    assert (await store.bots.get(tenant.id, bot.id)).status is BotStatus.BROKEN
    assert "Статус: Токен отклонён Telegram" in await me.screen()


async def test_delete_asks_first(signed_in, world, store, acme):
    me, tenant = signed_in, acme[0]
    bot = await store.bots.add(tenant.id, "Acme", world.acme.token, "AcmeBot", world.acme.id)
    await store.bots.activate(tenant.id, bot.id)
    await me.press("Боты")
    await me.press("Acme (@AcmeBot)")
    await me.press("Удалить")
    assert "Удалить бота «Acme» (@AcmeBot)?" in await me.screen()
    await me.press("Нет, назад")
    assert await store.bots.list(tenant.id)
    await me.press("Удалить")
    assert await me.press("Да, удалить") == "Бот @AcmeBot удалён."
    assert await store.bots.list(tenant.id) == [] and await store.bots.active(tenant.id) is None
    assert "Ботов пока нет." in await me.screen()
    assert await store.bots.owner_of_token(world.acme.token) is None  # may be added again


async def test_re_adding_a_bot_with_its_new_token_renews_it(world, runtimes, acme, store, admin_of):
    tenant, key = acme
    await runtimes()
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {key}", answers=2)
    await _start_adding(me)
    await me.say("Бот Acme")
    await me.say(world.acme.token, answers=2)
    (bot,) = await store.bots.list(tenant.id)
    new_token = await world.tg.revoke_token(world.acme.id)  # @BotFather issued a new one
    await me.say("/menu")
    await _start_adding(me)
    await me.say("Бот Acme")
    assert "обновлён" in await me.say(new_token, answers=2)
    (renewed,) = await store.bots.list(tenant.id)
    assert renewed.id == bot.id and renewed.token == new_token


async def test_switching_a_bot_off_never_silently_strands_its_subscribers(
    signed_in, world, store, acme, engine
):
    me, tenant = signed_in, acme[0]
    only_custom = await world.user("Инна", start=False)  # she only ever opened @AcmeBot
    both = await world.user("Олег")  # he started the shared bot too: it just takes over
    for uid in (only_custom, both):
        await world.tg.send_command(world.acme.username, uid, "start")
        await store.started.mark(world.acme.id, uid)
        await store.subs.activate(tenant.id, uid, str(uid))
    bot = await store.bots.add(tenant.id, "Acme", world.acme.token, "AcmeBot", world.acme.id)
    await store.bots.activate(tenant.id, bot.id)

    await me.press("Боты")
    await me.press("Acme (@AcmeBot)")
    notice = await me.press("Выключить")
    assert notice.startswith("Бот выключен. Уведомления присылает @PerezvonBot.")
    assert "Тем, кто открывал только @AcmeBot (1)" in notice
    link = await world.receives(only_custom, world.acme, "https://t.me/PerezvonBot?start=hi")
    assert "больше не присылает уведомления компании «Acme»" in link
    assert not [t for t in await world.texts(both, world.acme) if "PerezvonBot?start" in t]


async def _drained(engine) -> None:
    async def check() -> bool:
        g = await engine.gauges()
        names = ("queue_depth", "waiting", "in_flight", "intake_backlog")
        return all(g[f"delivery_{name}"][1] == 0 for name in names)

    await eventually(check)


async def _stranded(world, store, tenant) -> tuple[int, object]:
    """A subscriber who only ever opened @AcmeBot, and @AcmeBot active."""
    uid = await world.user("Инна", start=False)
    await world.tg.send_command(world.acme.username, uid, "start")
    await store.started.mark(world.acme.id, uid)
    await store.subs.activate(tenant.id, uid, str(uid))
    bot = await store.bots.add(tenant.id, "Acme", world.acme.token, "AcmeBot", world.acme.id)
    await store.bots.activate(tenant.id, bot.id)
    return uid, bot


def _farewells(texts: list[str]) -> list[str]:
    return [t for t in texts if "https://t.me/PerezvonBot?start=hi" in t]


async def test_the_farewell_of_a_deleted_bot_still_comes_from_it_once(
    signed_in, world, store, acme, engine
):
    me, tenant = signed_in, acme[0]
    uid, _ = await _stranded(world, store, tenant)
    await me.press("Боты")
    await me.press("Acme (@AcmeBot)")
    await me.press("Удалить")
    assert "Тем, кто открывал только @AcmeBot (1)" in await me.press("Да, удалить")
    await world.receives(uid, world.acme, "https://t.me/PerezvonBot?start=hi")
    await _drained(engine)
    assert len(_farewells(await world.texts(uid, world.acme))) == 1
    assert _farewells(await world.texts(uid, world.default)) == []


async def test_the_farewell_is_durable_across_a_crash_before_delivery(
    world, store, acme, runtimes, admin_of
):
    # No delivery worker runs while the admin switches the bot off, and the bot process
    # goes away right after: the farewell waits in the queue and a worker started later
    # sends it, once, through the bot that was switched off.
    tenant = acme[0]
    uid, _ = await _stranded(world, store, tenant)
    runtime = await runtimes()
    admin = await world.user("Админ")
    me = admin_of(world.default, admin)
    await me.say(f"/admin {acme[1]}", answers=2)
    await me.press("Боты")
    await me.press("Acme (@AcmeBot)")
    assert "Тем, кто открывал только @AcmeBot (1)" in await me.press("Выключить")
    await runtime.stop()
    assert _farewells(await world.texts(uid, world.acme)) == []
    for name in ("w1", "w2"):  # the second worker finds nothing left to send
        worker = await start_engine(store, world, name)
        try:
            await world.receives(uid, world.acme, "https://t.me/PerezvonBot?start=hi")
            await _drained(worker)
        finally:
            await worker.stop(grace=1.0)
    assert len(_farewells(await world.texts(uid, world.acme))) == 1
    assert _farewells(await world.texts(uid, world.default)) == []


async def test_a_chat_that_blocked_the_leaving_bot_gets_nothing_from_another(
    signed_in, world, store, acme, engine
):
    me, tenant = signed_in, acme[0]
    uid, _ = await _stranded(world, store, tenant)
    await world.tg.block_bot(uid, world.acme.id)
    await me.press("Боты")
    await me.press("Acme (@AcmeBot)")
    await me.press("Выключить")
    await _drained(engine)
    assert _farewells(await world.texts(uid, world.acme)) == []
    assert _farewells(await world.texts(uid, world.default)) == []
    assert not await store.started.has(world.acme.id, uid)
