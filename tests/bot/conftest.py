"""Fixtures of the bot tests: the emulator with a default and two custom bots, runtimes, users."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.runtime import BotRuntime
from perezvon.texts import Catalogue
from store import Store
from tg_emulator import EmulatorSettings, RateLimits, RunningEmulator, start_emulator
from tg_emulator.client import EmulatorClient

TEST_SECRET = "test-secret-key-not-for-production"
Probe = Callable[[], Awaitable[object]]


async def _eventually(probe: Probe, timeout: float = 10.0, step: float = 0.02) -> object:  # noqa: ASYNC109
    """Poll `probe` until it returns something truthy; fail the test after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    for _ in range(int(timeout / step) + 2):
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture
def eventually() -> Callable[..., Awaitable[object]]:
    """For things only time brings (a lease expiring in Redis): poll instead of a fixed sleep."""
    return _eventually


@pytest.fixture
def secret_key() -> str:
    return TEST_SECRET


@dataclass
class TgBot:
    id: int
    username: str
    token: str


@dataclass
class World:
    """The emulated Telegram side of a test, with helpers that act as users."""

    tg: EmulatorClient
    base_url: str
    emu: RunningEmulator
    default: TgBot
    acme: TgBot
    globex: TgBot
    last_message_id: int = 0

    async def user(self, name: str, lang: str | None = "ru") -> int:
        return (await self.tg.create_user(name, language_code=lang))["id"]

    async def bot_texts(self, chat_id: int, bot: TgBot) -> list[str]:
        return [m.get("text", "") for m in await self.tg.messages(chat_id, bot.id)]

    async def ask(
        self, bot: TgBot, user_id: int, text: str, chat_id: int | None = None, answers: int = 1
    ) -> str:
        """Send as the user; wait for `answers` new bot messages; return their texts joined."""
        chat = chat_id if chat_id is not None else user_id
        before = len(await self.tg.messages(chat, bot.id))
        sent = await self.tg.send_text(bot.username, user_id, text, chat_id)
        self.last_message_id = sent["message_id"]
        got = await self.tg.wait_for_messages(chat, before + answers, timeout=10, bot_id=bot.id)
        return "\n".join(m.get("text", "") for m in got[before:])

    async def send(self, bot: TgBot, user_id: int, text: str, chat_id: int | None = None) -> int:
        """Send as the user without waiting; returns the message id."""
        return (await self.tg.send_text(bot.username, user_id, text, chat_id))["message_id"]

    async def alive(self, chat_id: int, bot: TgBot, message_id: int) -> bool:
        """Whether the user's message is still in the chat (not deleted by the bot)."""
        records = await self.tg.message_records(chat_id, bot.id, include_users=True)
        return any(r["message"]["message_id"] == message_id for r in records["messages"])


@pytest.fixture
async def world() -> AsyncIterator[World]:
    emu = await start_emulator(settings=EmulatorSettings(limits=RateLimits.loose()))
    tg = EmulatorClient(emu.base_url)
    bots = []
    for username, name in (("PerezvonBot", "Perezvon"), ("AcmeBot", "Acme"), ("GlobexBot", None)):
        b = await tg.create_bot(username, name)
        bots.append(TgBot(b["id"], b["username"], b["token"]))
    yield World(tg, emu.base_url, emu, *bots)
    await tg.close()
    await emu.stop()


@pytest.fixture
async def runtimes(
    store: Store, world: World, clock
) -> AsyncIterator[Callable[..., Awaitable[BotRuntime]]]:
    """Start BotRuntimes on the test's store and emulator; all are stopped at the end."""
    started: list[BotRuntime] = []

    async def make(instance_id: str = "one", **overrides: Any) -> BotRuntime:
        options: dict[str, Any] = dict(
            api_base=world.base_url,
            default_token=world.default.token,
            secret_key=TEST_SECRET,
            instance_id=instance_id,
            lease_ttl=3.0,
            poll_timeout=2.0,
            persistence_interval=0.2,
            clock=clock,
        )
        options.update(overrides)
        runtime = BotRuntime(store, Catalogue(), **options)
        await runtime.start()
        started.append(runtime)
        return runtime

    yield make
    for runtime in started:
        await runtime.stop()


@pytest.fixture
async def tenants(store: Store, world: World) -> dict[str, Any]:
    """Two tenants; Acme has its own active bot @AcmeBot, Globex a switched-off @GlobexBot."""
    acme, acme_key = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    globex, globex_key = await store.tenants.create("Globex", "Asia/Yekaterinburg", "en")
    acme_bot = await store.bots.add(acme.id, "Acme", world.acme.token, "AcmeBot", world.acme.id)
    await store.bots.activate(acme.id, acme_bot.id)
    globex_bot = await store.bots.add(
        globex.id, "Globex", world.globex.token, "GlobexBot", world.globex.id
    )
    return {
        "acme": acme,
        "acme_key": acme_key,
        "acme_bot": acme_bot,
        "globex": globex,
        "globex_key": globex_key,
        "globex_bot": globex_bot,
    }
