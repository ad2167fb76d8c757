"""A real worker process killed with SIGKILL while it edits a resolved card's copies: the
restarted worker edits every copy still out of date, none is lost."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from delivery.intake import Intake
from perezvon.embedded_redis import EmbeddedRedis
from store import Store, connect
from store.cards import Resolution
from store.crypto import SecretBox
from store.events import CallEvent
from tg_emulator import EmulatorSettings, RateLimits, start_emulator
from tg_emulator.client import EmulatorClient

REPO = Path(__file__).resolve().parents[2]
SECRET = "process-test-secret-0123456789"
USERS = 60  # 2 s of edits at 30/s: the kill lands mid-way


async def _worker(redis_url: str, api: str, token: str) -> asyncio.subprocess.Process:
    args = [sys.executable, "-m", "delivery.standalone", "--redis", redis_url, "--api", api,
            "--consumer", "w1", "--senders", "16", "--lease", "3"]  # fmt: skip
    env = {**os.environ, "PZ_BOT_TOKEN": token, "PZ_SECRET_KEY": SECRET}
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE
    )
    line = await asyncio.wait_for(proc.stdout.readline(), 20)
    assert line.strip() == b"ready", line
    return proc


async def _until(probe, within: float = 30.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await probe()
        if value:
            return value
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


async def test_kill_9_between_resolution_and_edits_loses_no_edit():
    tmp = Path(tempfile.mkdtemp(prefix="pze-"))
    server = EmbeddedRedis(tmp, appendfsync="always")
    url = server.start()
    emu = await start_emulator(settings=EmulatorSettings(limits=RateLimits()))
    tg = EmulatorClient(emu.base_url)
    procs: list[asyncio.subprocess.Process] = []
    try:
        bot = await tg.create_bot("pz_edit_bot")
        store = Store(connect(url), SecretBox(SECRET))
        await store.migrate()
        tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
        chats = []
        for i in range(USERS):
            uid = (await tg.create_user(f"u{i}"))["id"]
            await tg.send_command(bot["id"], uid, "start")
            await store.started.mark(bot["id"], uid)
            await store.subs.activate(tenant.id, uid, f"u{i}")
            chats.append(uid)
        procs.append(await _worker(url, emu.base_url, bot["token"]))
        await Intake(store).submit(tenant, CallEvent(call_id="c1", caller="+74951234567"))
        card = await _until(lambda: store.followups.card_of_call(tenant.id, "c1"))

        async def recorded():
            return len(await store.followups.copies(tenant.id, card.id)) == USERS

        await _until(recorded)
        await asyncio.sleep(1.1)  # past the chats' 1 msg/s of the cards just sent
        await store.followups.resolve(tenant.id, card.id, Resolution.MANUAL, name="Оля")
        await asyncio.sleep(0.6)
        procs[0].send_signal(signal.SIGKILL)
        await procs[0].wait()
        edited = len(await tg.api_log(bot["id"], "editMessageText"))
        assert 0 < edited < USERS, f"{edited} edits at the kill: move the kill"
        procs.append(await _worker(url, emu.base_url, bot["token"]))

        async def all_edited():
            last = [(await tg.messages(c, bot["id"]))[-1]["text"] for c in chats]
            return all("Перезвонили: Оля" in t for t in last)

        await _until(all_edited)
        for chat in chats:  # still one message per chat: edits, never new sends
            assert len(await tg.messages(chat, bot["id"])) == 1
        await store.redis.aclose()
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGKILL)
                await proc.wait()
        await tg.close()
        await emu.stop()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
