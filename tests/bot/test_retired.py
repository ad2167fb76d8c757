"""A switched-off company bot still answers: it no longer delivers, and which bot does."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

NOTICE = (
    "Этот бот больше не присылает уведомления компании «Acme».\n"
    "Теперь их присылает @{bot}: откройте https://t.me/{bot}?start=hi и нажмите «Старт»."
)


async def test_a_switched_off_bot_points_to_the_default_bot(
    world, runtimes, tenants, store, eventually
):
    runtime = await runtimes(retired_poll=0.2)
    uid = await world.user("Анна")
    await world.ask(world.acme, uid, f"/activate {tenants['acme_key']}")
    await store.bots.deactivate(tenants["acme"].id, tenants["acme_bot"].id)
    await eventually(lambda: _not_serving(runtime, world.acme.id))

    answer = await world.ask(world.acme, uid, "/status")
    assert answer == NOTICE.format(bot="PerezvonBot")
    # Every message gets it, even one sent a while later (the bot is polled less often).
    assert await world.ask(world.acme, uid, "привет") == NOTICE.format(bot="PerezvonBot")
    assert runtime.conflicts == 0


async def test_when_the_company_has_another_bot_that_one_is_named(
    world, runtimes, tenants, store, eventually
):
    runtime = await runtimes(retired_poll=0.2)
    uid = await world.user("Анна")
    await world.ask(world.acme, uid, "/start")
    new = await world.tg.create_bot("AcmeNewBot", "Acme 2")
    acme = tenants["acme"]
    newer = await store.bots.add(acme.id, "Acme 2", new["token"], "AcmeNewBot", new["id"])
    await store.bots.activate(acme.id, newer.id)  # the old @AcmeBot is switched off by it
    await eventually(lambda: _not_serving(runtime, world.acme.id))
    assert await world.ask(world.acme, uid, "/help") == NOTICE.format(bot="AcmeNewBot")


async def test_a_button_of_an_old_message_is_answered_too(
    world, runtimes, tenants, store, eventually
):
    runtime = await runtimes(retired_poll=0.2)
    uid = await world.user("Анна")
    await world.ask(world.acme, uid, "/start")
    async with Bot(world.acme.token, base_url=f"{world.base_url}/bot") as bot:
        old = await bot.send_message(
            uid,
            "menu",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="am:1")]]),
        )
    await store.bots.deactivate(tenants["acme"].id, tenants["acme_bot"].id)
    await eventually(lambda: _not_serving(runtime, world.acme.id))
    query = await world.tg.press_button(world.acme.username, uid, old.message_id, button=0)
    answer = await world.tg.wait_for_answer(query["callback_query_id"], timeout=10)
    assert answer["text"] == "Бот больше не работает: уведомления присылает @PerezvonBot"


async def test_switched_on_again_it_is_a_normal_bot_and_two_runtimes_never_conflict(
    world, runtimes, tenants, store, eventually
):
    one = await runtimes("one", retired_poll=0.2)
    two = await runtimes("two", retired_poll=0.2)
    uid = await world.user("Анна")
    acme, bot = tenants["acme"], tenants["acme_bot"]
    await store.bots.deactivate(acme.id, bot.id)
    await eventually(lambda: _not_serving_anywhere((one, two), world.acme.id))
    assert await world.ask(world.acme, uid, "/start") == NOTICE.format(bot="PerezvonBot")
    await store.bots.activate(acme.id, bot.id)
    await eventually(lambda: _serving_anywhere((one, two), world.acme.id))
    answer = await world.ask(world.acme, uid, "/help")
    assert answer.startswith("Что умеет Acme")
    assert one.conflicts == two.conflicts == 0


async def test_a_broken_bot_is_not_polled(world, runtimes, tenants, store, eventually):
    runtime = await runtimes(retired_poll=0.2)
    await world.tg.revoke_token(world.acme.id)
    await eventually(lambda: _not_serving(runtime, world.acme.id))
    assert await store.bots.all_retired(0) == []


async def _not_serving(runtime, bot_id: int) -> bool:
    return bot_id not in runtime.serving


async def _not_serving_anywhere(runtimes, bot_id: int) -> bool:
    return all(bot_id not in r.serving for r in runtimes)


async def _serving_anywhere(runtimes, bot_id: int) -> bool:
    return any(bot_id in r.serving for r in runtimes)
