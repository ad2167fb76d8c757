"""Replies wait for the token's shared budget: a crowd of commands is answered, once, no 429."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

from bot.ratelimit import SharedRateLimiter, chat_of, counted
from bot.runtime import BotRuntime
from delivery import keys as delivery_keys
from delivery.pacing import Budget
from delivery.policy import Limits
from perezvon.texts import Catalogue
from tg_emulator.client import EmulatorClient

from .conftest import TEST_SECRET

CROWD = 300
# The emulator as its own process (in ours, its clock would be our busy event loop's), with
# its default strict model: at most 30 sends of a bot in ANY 1 s window, 1 per second per
# private chat, counted when each request arrives.
EMULATOR = """
import asyncio
from tg_emulator import EmulatorSettings, start_emulator

async def main():
    emu = await start_emulator("127.0.0.1", 0, EmulatorSettings())
    print(emu.base_url, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def _emulator_process() -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", EMULATOR, stdout=asyncio.subprocess.PIPE
    )


@pytest.mark.parametrize(
    ("endpoint", "limited"),
    [
        ("sendMessage", True),
        ("editMessageText", True),
        ("copyMessage", True),
        ("sendChatAction", False),
        ("deleteMessage", False),
        ("answerCallbackQuery", False),
        ("getUpdates", False),
    ],
)
def test_only_methods_that_write_a_message_take_a_slot(endpoint, limited):
    assert counted(endpoint) is limited


@pytest.mark.parametrize(
    ("data", "chat"), [({"chat_id": 5}, 5), ({"chat_id": "-100"}, -100), ({"chat_id": "@x"}, None)]
)
def test_the_chat_of_a_request(data, chat):
    assert chat_of(data) == chat


async def test_a_429_slows_the_token_and_the_request_is_made_again(redis):
    from telegram.error import RetryAfter

    budget = Budget(redis, Limits())
    limiter = SharedRateLimiter(budget, 4242)
    calls = []

    async def callback() -> bool:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RetryAfter(1)
        return True

    assert await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95  # waited out retry_after
    assert await redis.exists(delivery_keys.slow(4242))  # and the token runs slower for a while


# Timing on a real Redis only: fakeredis runs every script inside our event loop, so the loop
# itself (not the budget) decides when sends leave.
@pytest.mark.parametrize("redis_backend", ["real-redis"])
async def test_300_chats_activating_at_once_are_each_answered_once_without_a_429(
    store, clock, eventually
):
    emu = await _emulator_process()
    base_url = (await emu.stdout.readline()).decode().strip()
    tg = EmulatorClient(base_url)
    bot = await tg.create_bot("PerezvonBot", "Perezvon")
    runtime = BotRuntime(
        store,
        Catalogue(),
        api_base=base_url,
        default_token=bot["token"],
        secret_key=TEST_SECRET,
        instance_id="crowd",
        lease_ttl=3.0,
        poll_timeout=1.0,
        persistence_interval=0.2,
        clock=clock,
        limits=Limits(),
    )
    try:
        _, key = await store.tenants.create("Acme", "Europe/Moscow", "ru")
        users = [(await tg.create_user(f"U{i}"))["id"] for i in range(CROWD)]
        await runtime.start()
        started = time.monotonic()
        await asyncio.gather(*(tg.send_text(bot["username"], u, f"/activate {key}") for u in users))
        assert time.monotonic() - started < 2.0  # the crowd arrives at once

        async def all_answered() -> bool:
            log = await tg.api_log(bot["id"], "sendMessage")
            return sum(e["status"] == 200 for e in log) >= CROWD

        await eventually(all_answered, 40, 0.5)
        took = time.monotonic() - started
        for u in users:
            texts = [m.get("text", "") for m in await tg.messages(u, bot["id"])]
            assert len(texts) == 1 and "активирована" in texts[0], (u, texts)
        statuses = [e["status"] for e in await tg.api_log(bot["id"], "sendMessage")]
        assert statuses.count(429) == 0
        assert len(statuses) == CROWD
        # about what the bot's 30/s allows (the benchmark measures it; here 2 cores are shared)
        assert took < 1.5 * CROWD / (30 * 0.97)
    finally:
        await runtime.stop()
        await tg.close()
        emu.terminate()
        await emu.wait()
