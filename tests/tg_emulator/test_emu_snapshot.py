"""The sandbox's emulator keeps its world across restarts: bots, users, who started which bot,
groups and recent messages, written atomically; tests without a state file stay in memory."""

from __future__ import annotations

import json

import pytest
from telegram import Bot
from telegram.error import Forbidden

from tg_emulator import EmulatorSettings, RateLimits, start_emulator
from tg_emulator.client import EmulatorClient
from tg_emulator.snapshot import dump, load, restore, write
from tg_emulator.state import World


def _settings(path) -> EmulatorSettings:
    return EmulatorSettings(limits=RateLimits.loose(), state_file=str(path))


async def test_a_restarted_emulator_knows_its_bots_users_and_who_started_what(tmp_path):
    state = tmp_path / "emulator.json"
    first = await start_emulator(settings=_settings(state))
    async with EmulatorClient(first.base_url) as tg:
        bot = await tg.create_bot("demo_bot", "Demo")
        other = await tg.create_bot("acme_bot")
        user = await tg.create_user("Алексей", user_id=500_000_001, last_name="Петров")
        await tg.send_text("demo_bot", user["id"], "/start")
        group = await tg.create_group(
            "Продажи", [user["id"]], admins=[user["id"]], bots=[bot["id"]]
        )
        async with Bot(bot["token"], base_url=f"{first.base_url}/bot") as ptb:
            await ptb.send_message(user["id"], "Привет")
            await ptb.set_my_commands([("status", "Мои подписки")])
    await first.stop()
    assert oct(state.stat().st_mode & 0o777) == "0o600"  # it holds bot tokens

    second = await start_emulator(settings=_settings(state))
    try:
        async with EmulatorClient(second.base_url) as tg:
            bots = {b["username"]: b for b in await tg.bots()}
            assert bots["demo_bot"]["token"] == bot["token"]
            assert bots["acme_bot"]["token"] == other["token"]
            # The user started demo_bot before the restart: the bot may still write to them.
            async with Bot(bot["token"], base_url=f"{second.base_url}/bot") as ptb:
                sent = await ptb.send_message(user["id"], "После перезапуска")
                assert sent.message_id == 3  # ids go on: the /start and «Привет» came first
                assert [c.command for c in await ptb.get_my_commands()] == ["status"]
                member = await ptb.get_chat_member(group["id"], user["id"])
                assert member.status in ("creator", "administrator")
            # ...but never started acme_bot: still 403, as on Telegram.
            async with Bot(other["token"], base_url=f"{second.base_url}/bot") as ptb:
                with pytest.raises(Forbidden, match="initiate"):
                    await ptb.send_message(user["id"], "x")
            texts = [m["text"] for m in await tg.messages(user["id"], bot["id"])]
            assert texts == ["Привет", "После перезапуска"]
            new_user = await tg.create_user("Новый")
            assert new_user["id"] != user["id"]
    finally:
        await second.stop()


def test_dump_and_restore_round_trip():
    world = World()
    bot = world.add_bot("demo_bot")
    user = world.add_user("Вера", username="vera", language_code="ru")
    user.started.add(bot.id)
    user.blocked.add(bot.id)
    world.add_group("G", [user.id], [user.id], [bot.id], supergroup=True, username="gg")
    world.store_message(
        {"chat_id": user.id, "bot_id": bot.id, "from_bot": True, "from_user_id": None,
         "text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "y"}]]}}
    )  # fmt: skip
    data = json.loads(json.dumps(dump(world)))
    again = World()
    restore(again, data)
    assert dump(again) == data
    assert again.users[user.id].started == {bot.id} and again.tokens[bot.token] == bot.id
    assert again.chat_usernames == {"gg": next(iter(again.chats))}
    assert again.find_message(bot.id, user.id, 1).reply_markup["inline_keyboard"]


def test_a_damaged_state_file_is_set_aside_not_fatal(tmp_path, caplog):
    path = tmp_path / "emulator.json"
    path.write_text("{not json")
    assert load(path, 1000) is None
    assert (tmp_path / "emulator.json.damaged").read_text() == "{not json"
    assert "unreadable" in caplog.text and not path.exists()


def test_the_write_is_atomic(tmp_path):
    path = tmp_path / "emulator.json"
    write(path, {"version": 1})
    write(path, {"version": 1, "more": True})
    assert json.loads(path.read_text()) == {"version": 1, "more": True}
    assert [p.name for p in tmp_path.iterdir()] == ["emulator.json"]  # no temporary left


async def test_without_a_state_file_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    emu = await start_emulator(settings=EmulatorSettings(limits=RateLimits.loose()))
    async with EmulatorClient(emu.base_url) as tg:
        await tg.create_bot("demo_bot")
    await emu.stop()
    assert list(tmp_path.iterdir()) == []
