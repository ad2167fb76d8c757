"""Fixtures for the emulator's tests: a running emulator, its control client, raw API calls."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tg_emulator import EmulatorSettings, RateLimits, serve_emulator
from tg_emulator.client import EmulatorClient
from tg_emulator.conformance import BotApiSpec
from tg_emulator.server import RunningEmulator
from tg_emulator.state import generate_token


def new_token() -> str:
    """A random token shaped like Telegram's, made at run time."""
    return generate_token(secrets.randbelow(9 * 10**8) + 10**8)


@pytest.fixture(scope="session")
def spec() -> BotApiSpec:
    return BotApiSpec.load()


@pytest.fixture
def settings() -> EmulatorSettings:
    """The lenient model (token buckets): these tests are about behaviour, and a quick reply,
    edit and reply to one chat would be a flood under the strict default. Tests of the limits
    override this fixture with the model they test (test_emu_limits.py)."""
    return EmulatorSettings(limits=RateLimits.lenient())


@pytest.fixture
async def emu(settings: EmulatorSettings) -> AsyncIterator[RunningEmulator]:
    async with serve_emulator(settings=settings) as running:
        yield running


@pytest.fixture
async def client(emu: RunningEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.base_url) as control:
        yield control


class RawApi:
    """Bot API calls over plain HTTP, returning (status, body, headers)."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession):
        self.base_url = base_url
        self.session = session

    async def call(
        self, token: str, method: str, *, form: dict[str, Any] | None = None, **params: Any
    ) -> tuple[int, Any, dict[str, str]]:
        url = f"{self.base_url}/bot{token}/{method}"
        kwargs: dict[str, Any] = {"data": form} if form is not None else {"json": params}
        async with self.session.post(url, **kwargs) as resp:
            text = await resp.text()
            body: Any = await resp.json(content_type=None) if "json" in resp.content_type else text
            return resp.status, body, dict(resp.headers)


@pytest.fixture
async def raw(emu: RunningEmulator) -> AsyncIterator[RawApi]:
    async with aiohttp.ClientSession() as session:
        yield RawApi(emu.base_url, session)


@pytest.fixture
async def world(client: EmulatorClient) -> dict[str, Any]:
    """One bot and one user who has started it."""
    bot = await client.create_bot("alpha_bot", "Alpha", token=new_token())
    user = await client.create_user("Ann", user_id=5001, username="ann", language_code="en")
    await client.send_command(bot["id"], user["id"], "start")
    return {"bot": bot, "token": bot["token"], "bot_id": bot["id"], "user_id": user["id"]}
