"""The sandbox across restarts: the printed key and curl line always work, and the emulated
users, and who started which bot, are still there (no 403, nobody marked blocked)."""

import asyncio
import json
import re
import socket

import aiohttp
import pytest

from perezvon.redis_runtime import open_store
from perezvon.sandbox_mode import BOT_USERNAME, SandboxState
from perezvon.service import serve
from perezvon.settings import load
from store.models import SubStatus
from tg_emulator.client import EmulatorClient

USER = 700_000_002


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def settings(tmp_path, monkeypatch):
    for name in ("REDIS_URL", "BOT_TOKEN", "PUBLIC_URL", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    return load(
        None,
        data_dir=tmp_path / "data",
        ingest_port=_free_port(),
        secret_key="sandbox-secret-key-0123456789",
        redis_appendfsync="everysec",
    )


class Running:
    """One `perezvon run` (role all, sandbox) in this process, and the banner it printed."""

    def __init__(self, settings, capsys) -> None:
        self.settings, self.capsys = settings, capsys

    async def __aenter__(self) -> "Running":
        self.stopping = asyncio.Event()
        self.task = asyncio.create_task(serve(self.settings, "all", self.stopping))
        # The banner is printed once every part has started, which is after the ingest answers
        # /healthz: wait for the banner itself.
        self.banner = ""
        async with asyncio.timeout(30):
            while "curl -X POST" not in self.banner:
                assert not self.task.done(), "the service stopped before printing its banner"
                await asyncio.sleep(0.05)
                self.banner += self.capsys.readouterr().out
        curl = next(line for line in self.banner.splitlines() if "curl -X POST" in line)
        self.key = re.search(r"X-API-Key: (\S+)'", curl).group(1)
        self.body = json.loads(re.search(r"-d '(.*)'$", curl).group(1))
        self.url = re.search(r"curl -X POST (\S+)", curl).group(1)
        self.state = SandboxState.load(self.settings.data_dir)
        return self

    async def post(self, body: dict, key: str) -> tuple[int, dict]:
        async with aiohttp.ClientSession() as http:
            async with http.post(self.url, json=body, headers={"X-API-Key": key}) as resp:
                return resp.status, await resp.json()

    async def __aexit__(self, *exc: object) -> None:
        self.stopping.set()
        await asyncio.wait_for(self.task, 30)


async def test_after_a_restart_the_same_user_gets_the_next_call(settings, capsys):
    async with Running(settings, capsys) as first:
        async with EmulatorClient(first.state.emulator_url) as tg:
            await tg.create_user("Анна", user_id=USER, language_code="ru")
            await tg.send_command(BOT_USERNAME, USER, "activate", first.key)
            (reply,) = await tg.wait_for_messages(USER, 1, timeout=30)
            assert reply["text"].startswith("Отправка уведомлений активирована.")
        status, answer = await first.post(first.body, first.key)
        assert status == 202 and answer["status"] == "accepted"

    async with Running(settings, capsys) as second:
        assert second.key == first.key  # nothing rotated it: the same key
        assert second.body["call_id"] != first.body["call_id"]  # a fresh call each start
        status, answer = await second.post(second.body, second.key)
        assert status == 202 and answer["status"] == "accepted"
        async with EmulatorClient(second.state.emulator_url) as tg:
            # Anna was remembered, with her /start: the call reaches her, no 403.
            messages = await tg.wait_for_messages(USER, 3, timeout=30)
            assert "Пропущенный вызов" in messages[2]["text"]
        async with open_store(settings) as store:
            sub = await store.subs.get(second.state.tenant_id, USER)
            assert sub.status is SubStatus.ACTIVE  # not marked blocked


async def test_a_rotated_demo_key_is_replaced_and_said_so(settings, capsys):
    async with Running(settings, capsys) as first:
        pass
    async with open_store(settings) as store:
        _, rotated, _ = await store.rotate_key(first.state.tenant_id)  # «Ключ для API»

    async with Running(settings, capsys) as second:
        assert second.key not in (first.key, rotated)
        assert "had been rotated since the last start" in second.banner
        status, _ = await second.post(second.body, first.key)
        assert status == 401
        status, answer = await second.post(second.body, second.key)
        assert status == 202 and answer["status"] == "accepted"
        assert second.state.api_key == second.key and second.state.tenant_id == "1"

    async with Running(settings, capsys) as third:
        assert third.key == second.key and "rotated" not in third.banner
