"""Real worker processes on a real Redis: kill -9 mid-burst, a Redis restart, two workers."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest

from delivery.intake import Intake
from perezvon.embedded_redis import EmbeddedRedis
from store import Store, connect
from store.crypto import SecretBox
from store.events import CallEvent
from tg_emulator import EmulatorSettings, RateLimits, start_emulator
from tg_emulator.client import EmulatorClient

REPO = Path(__file__).resolve().parents[2]
SECRET = "process-test-secret-0123456789"
SENDERS = 16


class Worker:
    """`python -m delivery.standalone` as a child process."""

    live: ClassVar[list[Worker]] = []

    def __init__(self, redis_url: str, api: str, token: str, consumer: str, loose: bool):
        self.args = [
            sys.executable, "-m", "delivery.standalone", "--redis", redis_url, "--api", api,
            "--consumer", consumer, "--senders", str(SENDERS), "--lease", "3",
        ] + (["--loose"] if loose else [])  # fmt: skip
        self.env = {**os.environ, "PZ_BOT_TOKEN": token, "PZ_SECRET_KEY": SECRET}
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Worker:
        self.proc = await asyncio.create_subprocess_exec(
            *self.args, cwd=REPO, env=self.env, stdout=asyncio.subprocess.PIPE
        )
        Worker.live.append(self)
        line = await asyncio.wait_for(self.proc.stdout.readline(), 20)
        assert line.strip() == b"ready", line
        return self

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> dict:
        self.proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(self.proc.communicate(), 20)
        return json.loads(out.decode().strip().splitlines()[-1])


@pytest.fixture(autouse=True)
async def _no_orphan_workers() -> AsyncIterator[None]:
    """A failing test must not leave its workers running after their Redis is gone."""
    yield
    for worker in Worker.live:
        if worker.proc is not None and worker.proc.returncode is None:
            worker.kill()
            await worker.proc.wait()
    Worker.live.clear()


@pytest.fixture
async def redis_server() -> AsyncIterator[EmbeddedRedis]:
    # A short path keeps the unix socket under the sockaddr limit, so a restart keeps its URL.
    tmp = Path(tempfile.mkdtemp(prefix="pzd-"))
    server = EmbeddedRedis(tmp, appendfsync="always")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(tmp, ignore_errors=True)


async def _world(redis_url: str, emu_limits: RateLimits, users: int):
    emu = await start_emulator(settings=EmulatorSettings(limits=emu_limits))
    tg = EmulatorClient(emu.base_url)
    bot = await tg.create_bot("pz_proc_bot")
    redis = connect(redis_url)
    store = Store(redis, SecretBox(SECRET))
    await store.migrate()
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    chats = []
    for i in range(users):
        uid = (await tg.create_user(f"u{i}"))["id"]
        await tg.send_command(bot["id"], uid, "start")
        await store.started.mark(bot["id"], uid)
        await store.subs.activate(tenant.id, uid, f"u{i}")
        chats.append(uid)
    return emu, tg, bot, store, tenant, chats


async def _submit(store, tenant, calls: int, start: int = 0) -> None:
    intake = Intake(store)
    for i in range(start, start + calls):
        await intake.submit(tenant, CallEvent(call_id=f"c{i}", caller=f"+7495000{i:04d}"))


async def _delivered(tg, bot_id: int) -> Counter:
    """(chat, text) -> how many times the emulator stored it."""
    events, _ = await tg.events()
    return Counter(
        (e["message"]["chat"]["id"], e["message"]["text"]) for e in events if e["kind"] == "sent"
    )


async def _wait_sent(tg, at_least: int, within: float = 30.0) -> None:
    """Until `at_least` DISTINCT (chat, text) messages arrived: repeats after a kill must not
    make a still-queued message look delivered."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    seq = 0
    seen: set[tuple[int, str]] = set()
    while len(seen) < at_least:
        left = deadline - loop.time()
        assert left > 0, f"only {len(seen)} of {at_least} messages arrived"
        events, seq = await tg.events(after=seq, wait=min(left, 2.0))
        seen.update(
            (e["message"]["chat"]["id"], e["message"]["text"])
            for e in events
            if e["kind"] == "sent"
        )


async def test_kill_9_mid_burst_loses_nothing(redis_server):
    emu, tg, bot, store, tenant, chats = await _world(redis_server.url, RateLimits.loose(), 40)
    calls = 15
    total = calls * len(chats)
    first = await Worker(redis_server.url, emu.base_url, bot["token"], "w1", True).start()
    await _submit(store, tenant, calls)
    await _wait_sent(tg, total // 4)
    first.kill()
    await first.proc.wait()
    before = sum((await _delivered(tg, bot["id"])).values())
    assert before < total, "the burst ended before the kill; make it bigger"
    second = await Worker(redis_server.url, emu.base_url, bot["token"], "w1", True).start()
    await _wait_sent(tg, total, within=30)
    await second.stop()
    got = await _delivered(tg, bot["id"])
    assert len(got) == total  # every (chat, call) arrived
    assert sum(got.values()) - total <= SENDERS  # repeats: at most the sends in flight
    await tg.close()
    await emu.stop()
    await store.redis.aclose()


async def test_redis_restart_with_aof_loses_nothing(redis_server):
    emu, tg, bot, store, tenant, chats = await _world(redis_server.url, RateLimits.loose(), 30)
    calls = 20
    total = calls * len(chats)
    await _submit(store, tenant, calls)  # accepted while no worker runs: all of it is queued
    worker = await Worker(redis_server.url, emu.base_url, bot["token"], "w1", True).start()
    await _wait_sent(tg, total // 5)
    await asyncio.to_thread(redis_server.stop)
    await asyncio.to_thread(redis_server.start)
    await _wait_sent(tg, total, within=30)
    await worker.stop()
    got = await _delivered(tg, bot["id"])
    assert len(got) == total
    assert sum(got.values()) - total <= SENDERS
    await tg.close()
    await emu.stop()
    await store.redis.aclose()


async def test_two_workers_share_the_work_within_telegrams_limits(redis_server):
    # The strict model (sliding windows): the engine paces with no bursts.
    emu, tg, bot, store, tenant, chats = await _world(redis_server.url, RateLimits(), 45)
    workers = [
        await Worker(redis_server.url, emu.base_url, bot["token"], name, False).start()
        for name in ("w1", "w2")
    ]
    await _submit(store, tenant, 2)  # 90 messages: 3 s at 30/s, two per chat (1/s each)
    await _wait_sent(tg, 2 * len(chats), within=20)
    summaries = [await w.stop() for w in workers]
    got = await _delivered(tg, bot["id"])
    assert len(got) == 2 * len(chats) and set(got.values()) == {1}  # no double sends
    stats = await tg.stats(bot["id"])
    assert stats["too_many_requests"] == 0
    assert all(s["counts"].get("sent", 0) > 10 for s in summaries), summaries
    await tg.close()
    await emu.stop()
    await store.redis.aclose()
