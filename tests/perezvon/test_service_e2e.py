"""The whole service as a newcomer runs it: sandbox mode, a subscriber, calls by HTTP and AMI."""

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest

from connectors.asterisk.fake_ami import FakeAmiServer, capture_body
from perezvon.redis_runtime import open_store
from perezvon.sandbox_mode import BOT_USERNAME, SandboxState
from perezvon.service import serve
from perezvon.settings import load
from tg_emulator.client import EmulatorClient

CAPTURES = Path(__file__).resolve().parents[1] / "data" / "asterisk"
USER = 700_000_001


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
        secret_key="e2e-secret-key-0123456789",
        redis_appendfsync="everysec",
    )


async def _healthy(url: str) -> None:
    async with aiohttp.ClientSession() as http, asyncio.timeout(20):
        while True:
            try:
                async with http.get(f"{url}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)


async def test_sandbox_subscriber_gets_http_and_asterisk_missed_calls(settings):
    # The operator's set-up: a tenant and its Asterisk, whose stream holds one missed call
    # and one answered call at the same time.
    ami = await FakeAmiServer(
        secret="ami-pw",
        replay=capture_body((CAPTURES / "09-concurrent-missed-and-answered.ami").read_bytes()),
    ).start()
    async with open_store(settings) as store:
        tenant, api_key = await store.tenants.create("Acme", "Asia/Almaty", "ru")

    stopping = asyncio.Event()
    service = asyncio.create_task(serve(settings, "all", stopping))
    base = f"http://127.0.0.1:{settings.ingest_port}"
    try:
        await _healthy(base)
        state = SandboxState.load(settings.data_dir)
        assert state.api_key.startswith("pzv_") and state.emulator_url
        async with EmulatorClient(state.emulator_url) as tg:
            await tg.create_user("Анна", user_id=USER, language_code="ru")
            await tg.send_command(BOT_USERNAME, USER, "activate", api_key)
            (reply,) = await tg.wait_for_messages(USER, 1, timeout=30)
            assert reply["text"].startswith("Отправка уведомлений активирована.")

            # The operator connects the tenant's Asterisk while the service runs (the CLI
            # attaches to the service's embedded Redis); the supervisor picks the link up.
            async with open_store(settings) as store:
                await store.ami.add(tenant.id, ami.host, ami.port, "perezvon", "ami-pw", False)
            # The missed call of the Asterisk capture arrives; the answered one never does.
            messages = await tg.wait_for_messages(USER, 2, timeout=30)
            assert "Пропущенный вызов" in messages[1]["text"]
            assert "+7 701 123" in messages[1]["text"]

            async with aiohttp.ClientSession() as http:
                event = {"call_id": "http-1", "caller": "+77017654321", "wait_seconds": 12}
                async with http.post(
                    f"{base}/v1/events", json=event, headers={"X-API-Key": api_key}
                ) as resp:
                    assert resp.status == 202 and (await resp.json())["status"] == "accepted"
                messages = await tg.wait_for_messages(USER, 3, timeout=30)
                assert "+7 701 765" in messages[2]["text"]
                async with http.get(f"{base}/metrics") as resp:
                    metrics = await resp.text()
            # Three events accepted: AMI's missed call, HTTP's, and the answered AMI call (a
            # follow-up event, which sends nothing); the chat holds the activation reply and
            # exactly two notifications.
            assert "perezvon_events_accepted_total 3\n" in metrics
            texts = [m["text"] for m in await tg.messages(USER)]
            assert len(texts) == 3 and sum("Пропущенный вызов" in t for t in texts) == 2
    finally:
        stopping.set()
        await asyncio.wait_for(service, 30)
        await ami.close()
