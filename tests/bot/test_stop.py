"""/stop: a chat pauses a company's notifications without knowing that company's key."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.keyboards.subscriber import PauseSub, ResumeSub
from store.models import SubStatus


async def _buttons(world, uid) -> tuple[int, list[str]]:
    (last,) = (await world.tg.messages(uid, world.default.id))[-1:]
    rows = last["reply_markup"]["inline_keyboard"]
    return last["message_id"], [b["callback_data"] for row in rows for b in row]


async def _latest(world, uid: int, eventually, prefix: str) -> dict:
    """The bot's latest message in the chat once it starts with `prefix`: a reply right after
    another one in the same private chat waits for the chat's budget (1 per second)."""

    async def probe() -> dict | None:
        messages = await world.tg.messages(uid, world.default.id)
        last = messages[-1] if messages else None
        return last if last and last.get("text", "").startswith(prefix) else None

    return await eventually(probe, 5.0)


async def test_a_chat_an_admin_added_can_pause_it_without_the_key(
    world, runtimes, tenants, store, eventually
):
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
    await _latest(world, uid, eventually, "Уведомления компании «Acme» приостановлены.")
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


async def test_an_admin_added_chat_resumes_without_the_key(
    world, runtimes, tenants, store, eventually
):
    await runtimes()
    uid = await world.user("Вера")
    await world.ask(world.default, uid, "/start")
    acme = tenants["acme"]
    await store.subs.admin_add(acme.id, uid, "Вера")
    status = await world.ask(world.default, uid, "/status")
    assert "Уведомления подключены" in status and "/activate" not in status
    assert "/resume" not in status  # nothing is paused

    await world.ask(world.default, uid, "/stop")
    message_id, data = await _buttons(world, uid)
    query = await world.tg.press_button(world.default.username, uid, message_id, data=data[0])
    await world.tg.wait_for_answer(query["callback_query_id"])
    done = await _latest(world, uid, eventually, "Уведомления компании «Acme» приостановлены.")
    # Told how to resume without a key: /resume, or the button right there.
    assert "/resume" in done["text"] and "<ключ API>" not in done["text"]
    (button,) = [b for row in done["reply_markup"]["inline_keyboard"] for b in row]
    assert button["callback_data"] == ResumeSub(acme.id).pack()
    status = await world.ask(world.default, uid, "/status")
    assert "Уведомления приостановлены" in status and "Возобновить: /resume" in status
    assert "/activate" not in status

    query = await world.tg.press_button(world.default.username, uid, message_id, button=0)
    await world.tg.wait_for_answer(query["callback_query_id"])
    assert (await store.subs.get(acme.id, uid)).status is SubStatus.ACTIVE

    async def edited() -> bool:
        messages = await world.tg.messages(uid, world.default.id)
        mine = [m for m in messages if m["message_id"] == message_id]
        return mine[0]["text"] == "Уведомления подключены\nКомпания: Acme"

    assert await eventually(edited, 5.0)


async def test_resume_offers_only_what_the_chat_paused(world, runtimes, tenants, store):
    await runtimes()
    uid = await world.user("Вера")
    acme, globex = tenants["acme"], tenants["globex"]
    assert await world.ask(world.default, uid, "/resume") == (
        "В этом чате нет приостановленных уведомлений."
    )
    await store.subs.admin_add(acme.id, uid, "Вера")
    await store.subs.admin_add(globex.id, uid, "Вера")
    await store.subs.mute(acme.id, uid)
    await store.subs.admin_set(globex.id, uid, False)  # the admin's Off is not the chat's to undo

    assert await world.ask(world.default, uid, "/resume") == (
        "Уведомления какой компании возобновить?"
    )
    message_id, data = await _buttons(world, uid)
    assert data == [ResumeSub(acme.id).pack()]
    query = await world.tg.press_button(world.default.username, uid, message_id, data=data[0])
    await world.tg.wait_for_answer(query["callback_query_id"])
    assert (await store.subs.get(acme.id, uid)).status is SubStatus.ACTIVE
    assert (await store.subs.get(globex.id, uid)).status is SubStatus.DISABLED


async def test_a_resume_button_after_the_admin_switched_it_off_says_so(
    world, runtimes, tenants, store, eventually
):
    await runtimes()
    uid = await world.user("Вера")
    acme = tenants["acme"]
    await store.subs.admin_add(acme.id, uid, "Вера")
    await store.subs.mute(acme.id, uid)
    await world.ask(world.default, uid, "/resume")
    message_id, data = await _buttons(world, uid)
    await store.subs.admin_set(acme.id, uid, False)
    query = await world.tg.press_button(world.default.username, uid, message_id, data=data[0])
    await world.tg.wait_for_answer(query["callback_query_id"])
    assert (await store.subs.get(acme.id, uid)).status is SubStatus.DISABLED
    await _latest(world, uid, eventually, "Отключено администратором")
