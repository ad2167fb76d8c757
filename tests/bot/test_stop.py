"""/stop: a chat pauses a company's notifications without knowing that company's key."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.keyboards.subscriber import PauseSub
from store.models import SubStatus


async def _buttons(world, uid) -> tuple[int, list[str]]:
    (last,) = (await world.tg.messages(uid, world.default.id))[-1:]
    rows = last["reply_markup"]["inline_keyboard"]
    return last["message_id"], [b["callback_data"] for row in rows for b in row]


async def test_a_chat_an_admin_added_can_pause_it_without_the_key(world, runtimes, tenants, store):
    await runtimes()
    uid = await world.user("Вера")
    await world.ask(world.default, uid, "/start")
    acme, globex = tenants["acme"], tenants["globex"]
    await store.subs.admin_add(acme.id, uid, "Вера")  # added by an admin, never typed a key
    await store.subs.admin_add(globex.id, uid, "Вера")
    await store.subs.admin_set(globex.id, uid, False)  # switched off: nothing to pause there

    answer = await world.ask(world.default, uid, "/stop")
    assert answer == "Уведомления какой компании приостановить?"
    message_id, data = await _buttons(world, uid)
    assert data == [PauseSub(acme.id).pack()]

    query = await world.tg.press_button(world.default.username, uid, message_id, data=data[0])
    await world.tg.wait_for_answer(query["callback_query_id"])
    assert (await store.subs.get(acme.id, uid)).status is SubStatus.MUTED
    texts = await world.bot_texts(uid, world.default)
    assert texts[-1].startswith("Уведомления компании «Acme» приостановлены.")
    assert (await store.subs.get(globex.id, uid)).status is SubStatus.DISABLED

    assert (await world.ask(world.default, uid, "/stop")).startswith("Этот чат не получает")


async def test_a_button_for_a_company_the_chat_does_not_follow_changes_nothing(
    world, runtimes, tenants, store
):
    await runtimes()
    stranger, victim = await world.user("Чужой"), await world.user("Анна")
    await world.ask(world.default, stranger, "/start")
    globex = tenants["globex"]
    await store.subs.admin_add(globex.id, victim, "Анна")
    # A modified client may send any callback data; the emulator presses only what a keyboard
    # holds, so the forged button is put on a keyboard through the Bot API first.
    forged = PauseSub(globex.id).pack()
    async with Bot(world.default.token, base_url=f"{world.base_url}/bot") as bot:
        sent = await bot.send_message(
            stranger,
            "forged",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=forged)]]),
        )
    query = await world.tg.press_button(
        world.default.username, stranger, sent.message_id, data=forged
    )
    answer = await world.tg.wait_for_answer(query["callback_query_id"])
    assert answer["text"] == "Эта кнопка устарела."
    assert (await store.subs.get(globex.id, victim)).status is SubStatus.ACTIVE
    assert await store.subs.find(globex.id, stranger) is None
