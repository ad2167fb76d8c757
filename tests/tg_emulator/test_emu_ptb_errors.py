"""Every Telegram failure the emulator produces, as python-telegram-bot raises it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from tg_emulator.state import generate_token


@pytest.fixture
async def bot(emu, world) -> AsyncIterator[Bot]:
    async with Bot(world["token"], base_url=f"{emu.base_url}/bot") as ptb_bot:
        yield ptb_bot


async def test_forbidden_cases(bot, client, world):
    uid = world["user_id"]
    stranger = await client.create_user("Stranger")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger["id"], "hi")
    await client.block_bot(uid, world["bot_id"])
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(uid, "hi")
    await client.unblock_bot(uid, world["bot_id"])
    assert (await bot.send_message(uid, "back")).text == "back"
    await client.deactivate_user(uid)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(uid, "hi")
    group = await client.create_group("G", members=[stranger["id"]], bots=[world["bot_id"]])
    await client.kick_bot(group["id"], world["bot_id"])
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(group["id"], "hi")


async def test_bad_request_cases(bot, world):
    uid = world["user_id"]
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-999, "hi")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(uid, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(uid, "")
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        await bot.send_message(uid, "hi", reply_markup=keyboard)
    sent = await bot.send_message(uid, "same")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("same", uid, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", uid, 9999)
    assert await bot.delete_message(uid, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(uid, sent.message_id)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(uid, "<b>open", parse_mode="HTML")


async def test_chat_migrated_carries_the_new_id(bot, client, world):
    group = await client.create_group("G", members=[world["user_id"]], bots=[world["bot_id"]])
    new_id = await client.upgrade_group(group["id"])
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(group["id"], "hi")
    assert info.value.new_chat_id == new_id
    assert (await bot.send_message(new_id, "moved")).chat.type == "supergroup"
    updates = await bot.get_updates()
    migrations = [u.message.migrate_to_chat_id for u in updates if u.message]
    assert new_id in migrations


async def test_invalid_token_for_unknown_revoked_and_malformed(emu, client, world):
    old = Bot(world["token"], base_url=f"{emu.base_url}/bot")
    await old.initialize()
    await client.revoke_token(world["bot_id"])
    with pytest.raises(InvalidToken):
        await old.get_me()
    await old.shutdown()
    for token in (generate_token(424242424), "1:" + "a" * 10):
        stranger = Bot(token, base_url=f"{emu.base_url}/bot")
        with pytest.raises(InvalidToken):
            await stranger.initialize()  # initialize() calls getMe
        await stranger.shutdown()


async def test_conflicts(bot, emu, world):
    await bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()


@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_flood_storm_raises_retry_after(bot, client, world):
    await client.inject_fault("flood", bot_id=world["bot_id"], count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter, match="Retry in 7 seconds"):
            await bot.send_message(world["user_id"], "hi")
    assert (await bot.send_message(world["user_id"], "through")).text == "through"
    assert (await client.stats(world["bot_id"]))["too_many_requests"] == 2


@pytest.mark.parametrize("kind", ["error_500", "html_502", "drop"])
async def test_server_faults_are_network_errors(bot, client, world, kind):
    await client.inject_fault(kind, bot_id=world["bot_id"], methods=["sendMessage"], count=1)
    with pytest.raises(NetworkError) as info:
        await bot.send_message(world["user_id"], "hi")
    assert not isinstance(info.value, BadRequest | TimedOut)
    assert await client.messages(world["user_id"]) == []  # nothing was stored
    assert (await bot.send_message(world["user_id"], "ok")).text == "ok"


async def test_timeout_after_store_is_the_ambiguous_case(bot, client, world):
    await client.inject_fault("timeout_after_store", bot_id=world["bot_id"], seconds=5, count=1)
    with pytest.raises(TimedOut):
        await bot.send_message(world["user_id"], "maybe", read_timeout=0.3)
    stored = await client.messages(world["user_id"])
    assert [m["text"] for m in stored] == ["maybe"]  # delivered although the client timed out


async def test_latency_fault_delays_the_answer(bot, client, world):
    await client.inject_fault("latency", bot_id=world["bot_id"], seconds=0.3, methods=["getMe"])
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.3
    assert [f["kind"] for f in await client.faults()] == ["latency"]  # persistent until cleared
    assert await client.clear_faults() == 1
