"""Two `perezvon run` processes against one real Redis Cluster, as two machines would run them:
employees subscribe through whichever polls the bot, the PBX posts calls to both, and the two
share the sending without a double send and without a 429 on the strict limit model.

Each process talks to the emulator through a counting proxy of its own, so the test sees which
process sent what."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from store import Store, connect
from store.crypto import SecretBox
from tg_emulator import EmulatorSettings, RateLimits, start_emulator
from tg_emulator.client import EmulatorClient

REPO = Path(__file__).resolve().parents[2]
SECRET = "instances-test-secret-0123456789"
USERS = 20
CALLS = 6
CALLER = re.compile(r"\+7 495 000-00-(\d\d)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CountingProxy:
    """Forwards a process's Bot API calls to the emulator and counts the sends it made."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.sent = 0
        self.cards = 0  # sends of a card (its text names a test caller)
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> CountingProxy:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = _free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("content-type",)}
        async with self._http.request(
            request.method, self.upstream + request.path_qs, data=body, headers=headers
        ) as resp:
            payload = await resp.read()
            if resp.status == 200 and request.path.lower().endswith("/sendmessage"):
                self.sent += 1
                self.cards += bool(CALLER.search(body.decode(errors="replace")))
            return web.Response(status=resp.status, body=payload, content_type=resp.content_type)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()


class Instance:
    """One `perezvon run` process (every role) with its own ingest port and data folder."""

    def __init__(self, name: str, redis_url: str, api: str, token: str, data: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "BOT_TOKEN": token,
            "TELEGRAM_API_URL": api,
            "SECRET_KEY": SECRET,
            "INGEST_HOST": "127.0.0.1",
            "INGEST_PORT": str(self.port),
            "DATA_DIR": str(data / name),
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("PUBLIC_URL", None)
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Instance:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "perezvon", "run", cwd=REPO, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        async with aiohttp.ClientSession() as http, asyncio.timeout(40):
            while True:
                assert self.proc.returncode is None, await self.proc.stderr.read()
                try:
                    async with http.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)

    async def stop(self) -> tuple[int, str]:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(self.proc.communicate(), 30)
        return self.proc.returncode, err.decode(errors="replace")


@pytest.fixture
async def cluster_store(cluster_url: str) -> AsyncIterator[Store]:
    redis = connect(cluster_url)
    await redis.flushdb()
    store = Store(redis, SecretBox(SECRET))
    await store.migrate()
    yield store
    await redis.flushdb()
    await redis.aclose()


async def _until(probe, within: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await probe():
        assert loop.time() < deadline, f"{probe.__name__}: not within {within} s"
        await asyncio.sleep(0.2)


async def _confirm_updates(api: str, token: str) -> None:
    """Take the bot's pending updates off the emulator, as an earlier run of the bot did."""
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api}/bot{token}/getUpdates", json={"timeout": 0}) as resp:
            updates = (await resp.json())["result"]
        if updates:
            offset = {"offset": updates[-1]["update_id"] + 1, "timeout": 0}
            async with http.post(f"{api}/bot{token}/getUpdates", json=offset) as resp:
                assert (await resp.json())["result"] == []


async def _post_call(http: aiohttp.ClientSession, instance: Instance, key: str, i: int) -> None:
    body = {"call_id": f"inst-{i}", "caller": f"+749500000{i:02d}", "wait_seconds": 20}
    headers = {"Authorization": f"Bearer {key}"}
    async with http.post(f"{instance.url}/v1/events", json=body, headers=headers) as resp:
        assert resp.status == 202, await resp.text()


@pytest.mark.parametrize("subscribe", ["earlier", "through the bot"])
async def test_two_instances_on_one_cluster_share_the_work_exactly_once(
    cluster_url: str, cluster_store: Store, tmp_path: Path, subscribe: str
):
    store = cluster_store
    emu = await start_emulator(settings=EmulatorSettings(limits=RateLimits()))  # strict
    tg = EmulatorClient(emu.base_url)
    proxies = [await CountingProxy(emu.base_url).start() for _ in range(2)]
    instances: list[Instance] = []
    try:
        bot = await tg.create_bot("pz_instances_bot")
        tenant, key = await store.tenants.create("Acme", "Europe/Moscow", "ru")
        users = [(await tg.create_user(f"u{i}"))["id"] for i in range(USERS)]
        if subscribe == "earlier":
            for uid in users:  # employees who started the bot and subscribed earlier
                await tg.send_command(bot["id"], uid, "start")
                await store.started.mark(bot["id"], uid)
                await store.subs.activate(tenant.id, uid, str(uid))
            await _confirm_updates(emu.base_url, bot["token"])  # answered long ago
        instances = [
            await Instance(name, cluster_url, proxy.url, bot["token"], tmp_path).start()
            for name, proxy in zip(("a", "b"), proxies, strict=True)
        ]
        if subscribe == "through the bot":
            # A crowd at once, answered by whichever instance polls the bot: two replies to
            # each chat within a second, paced per chat like every send.
            for uid in users:
                await tg.send_command(bot["id"], uid, "start")
                await tg.send_command(bot["id"], uid, "activate", key)

            async def subscribed() -> bool:
                return len(await store.subs.list(tenant.id, 0, 100)) == USERS

            await _until(subscribed, 60)
        async with aiohttp.ClientSession() as http:
            for i in range(CALLS):  # the PBX's posts land on both instances
                await _post_call(http, instances[i % 2], key, i)

        wanted = {(uid, i) for uid in users for i in range(CALLS)}
        got: Counter[tuple[int, int]] = Counter()

        async def all_delivered() -> bool:
            events, _ = await tg.events()
            got.clear()
            for e in events:
                if e["kind"] == "sent" and (m := CALLER.search(e["message"].get("text", ""))):
                    got[(e["message"]["chat"]["id"], int(m.group(1)))] += 1
            return set(got) >= wanted

        await _until(all_delivered, 60)
        await asyncio.sleep(1.0)  # a late double send would arrive now
        assert await all_delivered()
        assert set(got) == wanted and set(got.values()) == {1}  # each card once, no double
        stats = await tg.stats(bot["id"])
        assert stats["too_many_requests"] == 0
        cards = [p.cards for p in proxies]
        assert sum(cards) == len(wanted)
        assert min(cards) >= len(wanted) // 10, cards  # both instances sent cards
        for instance in instances:
            code, err = await instance.stop()
            assert code == 0, err
            assert "Traceback" not in err, err
    finally:
        for instance in instances:
            if instance.proc is not None and instance.proc.returncode is None:
                instance.proc.kill()
                await instance.proc.wait()
        for proxy in proxies:
            await proxy.stop()
        await tg.close()
        await emu.stop()
