"""Admin-menu fixtures: the emulator, runtimes with the admin feature, a delivery engine, and
an `Admin` that reads menus and presses their buttons like a person would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from bot.handlers import admin
from bot.handlers.admin.shared import AdminSettings
from bot.keyboards.admin import group_new_markup
from bot.runtime import BotRuntime
from delivery.deadletters import DeadLetters
from delivery.engine import DeliveryEngine
from delivery.outbox import Outbox
from delivery.policy import Breaker, Limits, Options, Retry
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store
from tg_emulator import EmulatorSettings, RateLimits, RunningEmulator, start_emulator
from tg_emulator.client import EmulatorClient

TEST_SECRET = "test-secret-key-not-for-production"


async def eventually(probe: Callable[[], Awaitable[Any]], within: float = 10.0) -> Any:
    """Poll something only time brings (a queued message arriving); fail after `within` s."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last: {value!r})")
        await asyncio.sleep(0.02)


@dataclass
class TgBot:
    id: int
    username: str
    token: str


@dataclass
class World:
    tg: EmulatorClient
    base_url: str
    emu: RunningEmulator
    default: TgBot
    acme: TgBot
    globex: TgBot

    async def user(self, name: str, lang: str | None = "ru", start: bool = True) -> int:
        """A user; with `start`, one who pressed Start in the default bot."""
        uid = (await self.tg.create_user(name, language_code=lang))["id"]
        if start:
            await self.ask(self.default, uid, "/start")
        return uid

    async def new_bot(self, username: str) -> TgBot:
        b = await self.tg.create_bot(username, username)
        return TgBot(b["id"], b["username"], b["token"])

    async def texts(self, chat_id: int, bot: TgBot) -> list[str]:
        return [m.get("text", "") for m in await self.tg.messages(chat_id, bot.id)]

    async def ask(self, bot: TgBot, uid: int, text: str, answers: int = 1) -> str:
        """Send as the user, wait for `answers` new bot messages, return their texts."""
        before = len(await self.tg.messages(uid, bot.id))
        await self.tg.send_text(bot.username, uid, text)
        got = await self.tg.wait_for_messages(uid, before + answers, timeout=10, bot_id=bot.id)
        return "\n".join(m.get("text", "") for m in got[before:])

    async def receives(self, chat_id: int, bot: TgBot, needle: str) -> str:
        """Wait until a message containing `needle` reaches the chat from `bot`."""

        async def probe() -> str | None:
            return next((t for t in await self.texts(chat_id, bot) if needle in t), None)

        return await eventually(probe)

    async def bot_api(self, bot: TgBot, method: str, **params: Any) -> Any:
        """Call the Bot API as the bot (a test forging what a modified client could send)."""
        async with aiohttp.ClientSession() as http:
            url = f"{self.base_url}/bot{bot.token}/{method}"
            async with http.post(url, json=params) as response:
                body = await response.json()
        assert body["ok"], body
        return body["result"]


def buttons(message: dict) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


@dataclass
class Admin:
    """One admin's private chat with one bot."""

    world: World
    bot: TgBot
    uid: int
    answers: list[str | None] = field(default_factory=list)

    async def say(self, text: str, answers: int = 1) -> str:
        return await self.world.ask(self.bot, self.uid, text, answers)

    async def messages(self) -> list[dict]:
        return await self.world.tg.messages(self.uid, self.bot.id)

    async def menu(self) -> dict:
        """The newest bot message that has buttons."""
        for message in reversed(await self.messages()):
            if buttons(message):
                return message
        raise AssertionError("no menu in the chat")

    async def screen(self) -> str:
        return (await self.menu())["text"]

    async def labels(self) -> list[str]:
        return [label for label, _ in buttons(await self.menu())]

    async def press(self, label: str, message: dict | None = None) -> str | None:
        """Press the button whose text contains `label`; returns the notice (or None)."""
        message = message or await self.menu()
        found = [data for text, data in buttons(message) if label in text]
        assert found, f"no button {label!r} in {buttons(message)}"
        return await self.press_data(found[0], message["message_id"])

    async def press_data(self, data: str, message_id: int) -> str | None:
        tg = self.world.tg
        query = await tg.press_button(self.bot.username, self.uid, message_id, data=data)
        answer = await tg.wait_for_answer(query["callback_query_id"], timeout=10)
        self.answers.append(answer.get("text"))
        return answer.get("text")

    async def forge(self, *payloads: str) -> dict:
        """A message in this chat carrying buttons the bot never made (a forged client)."""
        keyboard = [[{"text": str(i), "callback_data": p}] for i, p in enumerate(payloads)]
        return await self.world.bot_api(
            self.bot, "sendMessage", chat_id=self.uid, text="forged",
            reply_markup={"inline_keyboard": keyboard},
        )  # fmt: skip


@pytest.fixture
async def world() -> AsyncIterator[World]:
    emu = await start_emulator(settings=EmulatorSettings(limits=RateLimits.loose()))
    tg = EmulatorClient(emu.base_url)
    bots = []
    for username in ("PerezvonBot", "AcmeBot", "GlobexBot"):
        b = await tg.create_bot(username, username)
        bots.append(TgBot(b["id"], b["username"], b["token"]))
    yield World(tg, emu.base_url, emu, *bots)
    await tg.close()
    await emu.stop()


@pytest.fixture
def settings() -> AdminSettings:
    return AdminSettings()


@pytest.fixture
async def runtimes(
    store: Store, world: World, clock, settings: AdminSettings
) -> AsyncIterator[Callable[..., Awaitable[BotRuntime]]]:
    """Start BotRuntimes with the admin feature; all are stopped at the end."""
    started: list[BotRuntime] = []

    async def make(instance_id: str = "one", admin_settings: AdminSettings | None = None):
        feature = admin.feature(
            Outbox(store, clock),
            DeadLetters(store.redis),
            world.base_url,
            admin_settings or settings,
        )
        runtime = BotRuntime(
            store,
            Catalogue(),
            api_base=world.base_url,
            default_token=world.default.token,
            secret_key=TEST_SECRET,
            instance_id=instance_id,
            extra_features=[feature],
            lease_ttl=3.0,
            poll_timeout=2.0,
            persistence_interval=0.2,
            clock=clock,
            # These tests press through menus faster than a person; the emulator here is loose
            # too (replies' pacing: tests/bot/test_ratelimit.py).
            limits=Limits.loose(),
        )
        await runtime.start()
        started.append(runtime)
        return runtime

    yield make
    for runtime in started:
        await runtime.stop()


# Messages that wait 2 s for Telegram (an outage the test injects) become dead letters.
FAST = Options(
    intake_block_ms=100,
    send_timeout=2.0,
    lease_seconds=3.0,
    idle_poll=0.2,
    route_cache_seconds=0,
    max_wait=2.0,
)


async def start_engine(store: Store, world: World, consumer: str = "w1") -> DeliveryEngine:
    """A started delivery worker on the test world; the caller stops it."""
    worker = DeliveryEngine(
        store,
        Metrics(store.redis),
        Catalogue(),
        api_base=world.base_url,
        default_token=world.default.token,
        consumer=consumer,
        group_new_markup=group_new_markup,
        limits=Limits.loose(),
        retry=Retry(attempts=2, base=0.02, cap=0.05),
        options=FAST,
        breaker=Breaker(base=0.05, cap=0.2, probe=1.0),
    )
    await worker.start()
    return worker


@pytest.fixture
async def engine(store: Store, world: World) -> AsyncIterator[DeliveryEngine]:
    """The delivery worker, so what the admin causes really reaches the users."""
    worker = await start_engine(store, world)
    yield worker
    await worker.stop(grace=1.0)


@pytest.fixture
async def acme(store: Store) -> tuple[Any, str]:
    return await store.tenants.create("Acme", "Europe/Moscow", "ru")


@pytest.fixture
async def globex(store: Store) -> tuple[Any, str]:
    return await store.tenants.create("Globex", "Asia/Yekaterinburg", "en")


@pytest.fixture(name="eventually")
def eventually_fixture() -> Callable[..., Awaitable[Any]]:
    return eventually


@pytest.fixture(name="buttons")
def buttons_fixture() -> Callable[[dict], list[tuple[str, str]]]:
    """`buttons(message)`: its inline buttons as (label, callback_data)."""
    return buttons


@pytest.fixture
def admin_of(world: World) -> Callable[[TgBot, int], Admin]:
    """`admin_of(bot, uid)`: drive that user's private chat with that bot."""
    return lambda bot, uid: Admin(world, bot, uid)


@pytest.fixture
async def signed_in(world: World, runtimes, acme) -> Admin:
    """A running default bot and an admin of Acme looking at the main menu."""
    await runtimes()
    uid = await world.user("Админ")
    me = Admin(world, world.default, uid)
    await me.say(f"/admin {acme[1]}", answers=2)
    return me
