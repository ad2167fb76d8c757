"""The control API and its client: setup, observation, waiting, faults, reset."""

from __future__ import annotations

import asyncio

import pytest

from tg_emulator import EmulatorSettings, RateLimits
from tg_emulator.client import EmulatorControlError


# Three sends and an edit to one chat at once: more than a chat's budget, and edits count.
@pytest.mark.parametrize("settings", [EmulatorSettings(limits=RateLimits.loose())])
async def test_messages_reflect_edits_deletions_and_flags(raw, client, world):
    token, uid = world["token"], world["user_id"]
    ids = []
    for text in ("one", "two", "three"):
        _, body, _ = await raw.call(
            token, "sendMessage", chat_id=uid, text=text, disable_notification=True
        )
        ids.append(body["result"]["message_id"])
    edited = await raw.call(token, "editMessageText", chat_id=uid, message_id=ids[0], text="ONE")
    assert edited[0] == 200
    await raw.call(token, "deleteMessage", chat_id=uid, message_id=ids[1])
    assert [m["text"] for m in await client.messages(uid)] == ["ONE", "three"]
    records = (await client.message_records(uid, include_users=True))["messages"]
    assert [r["from_bot"] for r in records] == [False, True, True]  # the user's /start first
    assert all(r["disable_notification"] for r in records if r["from_bot"])


async def test_wait_for_messages_long_polls_and_times_out(raw, client, world):
    uid = world["user_id"]
    waiter = asyncio.create_task(client.wait_for_messages(uid, 2, timeout=5))
    await raw.call(world["token"], "sendMessage", chat_id=uid, text="a")
    await raw.call(world["token"], "sendMessage", chat_id=uid, text="b")
    assert [m["text"] for m in await waiter] == ["a", "b"]
    with pytest.raises(TimeoutError, match="2 of 3 messages"):
        await client.wait_for_messages(uid, 3, timeout=0.2)


async def test_group_setup_commands_and_upgrade(client, world, raw):
    admin = await client.create_user("Admin")
    group = await client.create_group(
        "Office", members=[world["user_id"]], admins=[admin["id"]], bots=[world["bot_id"]]
    )
    assert group["type"] == "group" and group["id"] < 0
    sent = await client.send_command(world["bot_id"], world["user_id"], "link", "KEY",
                                     chat_id=group["id"])  # fmt: skip
    updates = (await raw.call(world["token"], "getUpdates"))[1]["result"]
    message = next(u["message"] for u in updates if u["update_id"] == sent["update_id"])
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert message["chat"]["id"] == group["id"]
    new_id = await client.upgrade_group(group["id"])
    assert str(new_id).startswith("-100")
    with pytest.raises(EmulatorControlError, match="upgraded"):
        await client.send_text(world["bot_id"], world["user_id"], "hi", chat_id=group["id"])


async def test_control_errors_are_4xx_json(client, emu, raw):
    with pytest.raises(EmulatorControlError) as info:
        await client.create_bot("x_bot", token="not-a-token")
    assert info.value.status == 400
    with pytest.raises(EmulatorControlError) as info:
        await client.stats(123)
    assert info.value.status == 404
    with pytest.raises(EmulatorControlError, match="kind must be one of"):
        await client.inject_fault("meteor")
    async with raw.session.post(f"{emu.base_url}/_emulator/bots", data=b"{x") as resp:
        assert resp.status == 400 and (await resp.json())["ok"] is False


async def test_user_cannot_press_missing_button(client, world, raw):
    sent = (await raw.call(world["token"], "sendMessage", chat_id=world["user_id"], text="t"))[1]
    with pytest.raises(EmulatorControlError, match="no button"):
        await client.press_button(world["bot_id"], world["user_id"],
                                  sent["result"]["message_id"], data="nope")  # fmt: skip


async def test_answer_callback_once_only(client, world, raw):
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}
    sent = (await raw.call(world["token"], "sendMessage", chat_id=world["user_id"], text="t",
                           reply_markup=markup))[1]["result"]  # fmt: skip
    press = await client.press_button(world["bot_id"], world["user_id"], sent["message_id"], "a")
    qid = press["callback_query_id"]
    assert (await client.callback_answer(qid))["answered"] is False
    ok = await raw.call(world["token"], "answerCallbackQuery", callback_query_id=qid, text="Hi")
    again = await raw.call(world["token"], "answerCallbackQuery", callback_query_id=qid)
    assert ok[1]["result"] is True
    assert again[1]["description"].startswith("Bad Request: query is too old")
    assert (await client.wait_for_answer(qid, timeout=1))["text"] == "Hi"


async def test_fault_scoped_to_chat_and_one_shot(client, world, raw):
    other = await client.create_user("Other")
    await client.send_command(world["bot_id"], other["id"], "start")
    fault = await client.inject_fault("error_500", chat_id=other["id"], count=1)
    ok = await raw.call(world["token"], "sendMessage", chat_id=world["user_id"], text="x")
    failed = await raw.call(world["token"], "sendMessage", chat_id=other["id"], text="x")
    assert ok[0] == 200
    assert failed[:2] == (500, {"ok": False, "error_code": 500,
                                "description": "Internal Server Error"})  # fmt: skip
    assert await client.faults() == []  # the one-shot fault is spent
    assert fault["count"] == 1
    await client.inject_fault("html_502", bot_id=world["bot_id"])
    status, body, headers = await raw.call(world["token"], "getMe")
    assert status == 502 and headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in body
    await client.remove_fault((await client.faults())[0]["id"])
    assert (await raw.call(world["token"], "getMe"))[0] == 200


async def test_reset_forgets_everything(client, world, raw):
    await client.inject_fault("latency", seconds=1)
    await client.reset()
    assert await client.bots() == [] and await client.faults() == []
    assert (await raw.call(world["token"], "getMe"))[0] == 401
    assert await client.api_log() == []
