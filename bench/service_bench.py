"""Memory of `perezvon run` (role all) with 100 custom bots: idle, then under load (issue 6, #5).

    .venv/bin/python bench/service_bench.py [--bots 100] [--subs 2] [--events 3000]

Loopback only, bounded in time (a few minutes at most). The Telegram emulator runs as its own
process; the state (tenants, custom bots, subscribers) is written through the store into an
embedded Redis under a temporary DATA_DIR, which is then stopped; `perezvon run` starts on that
DATA_DIR as a subprocess, exactly as an operator would run it. RSS is read from
/proc/<pid>/status (VmRSS now, VmHWM the peak) of the service's Python process; its embedded
redis-server child is reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perezvon.embedded_redis import EmbeddedRedis  # noqa: E402
from store import Store, connect  # noqa: E402
from store.crypto import SecretBox  # noqa: E402
from tg_emulator.client import EmulatorClient  # noqa: E402

SECRET = secrets.token_urlsafe(24)
TARGET_MIB = 200e6 / 2**20  # the target is 200 MB: 190.7 MiB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MiB (empty once it is gone)."""
    out: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0]) / 1024
    return out


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def threads(pid: int) -> int:
    with contextlib.suppress(OSError):
        return len(list(Path(f"/proc/{pid}/task").iterdir()))
    return 0


class World:
    """The emulator process, the prepared DATA_DIR, and later the service process."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="pz-svc-bench-"))
        self.emu: asyncio.subprocess.Process | None = None
        self.svc: asyncio.subprocess.Process | None = None
        self.tg: EmulatorClient | None = None
        self.keys: list[str] = []
        self.bot_ids: list[int] = []
        self.default: dict[str, Any] = {}
        self.ingest = ""

    async def start_emulator(self) -> None:
        port = free_port()
        self.api = f"http://127.0.0.1:{port}"
        # --limits: the emulator's default (strict) model; a model's name picks that one
        model = self.args.limits
        limits = ["--limits", model] if isinstance(model, str) else [] if model else ["--no-limits"]
        self.emu = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tg_emulator",
            "--port",
            str(port),
            *limits,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
        )
        self.tg = EmulatorClient(self.api)
        for _ in range(200):
            try:
                await self.tg.bots()
                return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
        raise RuntimeError("the emulator did not come up")

    async def prepare(self) -> None:
        """Tenants, their active custom bots and subscribers who started them, in the store."""
        assert self.tg is not None
        tg = self.tg
        self.default = await tg.create_bot("bench_default_bot", "Perezvon")
        redis_server = EmbeddedRedis(self.tmp, appendfsync="everysec")
        store = Store(connect(redis_server.start()), SecretBox(SECRET))
        try:
            await store.migrate()
            for i in range(self.args.bots):
                tenant, key = await store.tenants.create(f"Tenant {i}", "Europe/Moscow", "ru")
                self.keys.append(key)
                bot = await tg.create_bot(f"bench_t{i}_bot", f"Tenant {i}")
                self.bot_ids.append(bot["id"])
                added = await store.bots.add(
                    tenant.id, f"Tenant {i}", bot["token"], bot["username"], bot["id"]
                )
                await store.bots.activate(tenant.id, added.id)
                for j in range(self.args.subs):
                    user = await tg.create_user(f"U{i}_{j}", language_code="ru")
                    await tg.send_command(bot["id"], user["id"], "start")
                    await store.subs.admin_add(tenant.id, user["id"], user["first_name"])
                    await store.started.mark(bot["id"], user["id"])
        finally:
            await store.redis.aclose()
            redis_server.stop()

    async def start_service(self) -> None:
        port = free_port()
        self.ingest = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "BOT_TOKEN": self.default["token"],
            "TELEGRAM_API_URL": self.api,
            "DATA_DIR": str(self.tmp),
            "SECRET_KEY": SECRET,
            "INGEST_PORT": str(port),
            "LOG_LEVEL": "INFO",
        }
        env.pop("REDIS_URL", None)
        self._open_log()
        self.svc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "perezvon",
            "run",
            cwd=self.tmp,  # no stray .env from the checkout
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def _open_log(self) -> None:
        self.log = (self.tmp / "service.log").open("wb")  # closed in stop()

    async def wait_polled(self, within: float, method: str = "getupdates") -> float:
        """Seconds until every bot (default + custom) has called `method` (by default
        getUpdates: it polls) at least once."""
        assert self.tg is not None and self.svc is not None
        t0 = time.monotonic()
        waiting = {self.default["id"], *self.bot_ids}
        while waiting:
            if self.svc.returncode is not None:
                raise RuntimeError(f"perezvon run exited: see {self.tmp / 'service.log'}")
            if time.monotonic() - t0 > within:
                raise TimeoutError(f"{len(waiting)} bots never called {method}")
            for bot_id in list(waiting):
                stats = await self.tg.stats(bot_id)
                if stats["by_method"].get(method, 0) > 0:
                    waiting.discard(bot_id)
            await asyncio.sleep(0.5)
        return time.monotonic() - t0

    async def sent(self) -> int:
        assert self.tg is not None
        got = await asyncio.gather(*(self.tg.stats(b) for b in self.bot_ids))
        return sum(s["messages_sent"] for s in got)

    async def stop(self) -> None:
        if self.svc is not None and self.svc.returncode is None:
            self.svc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.svc.wait(), 60)
            except TimeoutError:
                self.svc.kill()
                await self.svc.wait()
        if self.svc is not None:
            self.log.close()
        if self.tg is not None:
            await self.tg.close()
        if self.emu is not None and self.emu.returncode is None:
            self.emu.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.emu.wait(), 20)
            except TimeoutError:
                self.emu.kill()
                await self.emu.wait()


async def post_events(world: World, events: int, concurrency: int = 16) -> tuple[int, float]:
    """POST `events` single events round-robin over the tenants; returns (accepted, seconds)."""
    todo = asyncio.Queue[int]()
    for n in range(events):
        todo.put_nowait(n)
    accepted = 0

    async def poster(session: aiohttp.ClientSession) -> None:
        nonlocal accepted
        while not todo.empty():
            n = todo.get_nowait()
            key = world.keys[n % len(world.keys)]
            body = {"call_id": f"bench-{n}", "caller": f"+7495{n:07d}"}
            async with session.post(
                f"{world.ingest}/v1/events",
                json=body,
                headers={"Authorization": f"Bearer {key}"},
            ) as resp:
                if resp.status == 202:
                    accepted += 1

    t0 = time.monotonic()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(poster(session) for _ in range(concurrency)))
    return accepted, time.monotonic() - t0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    world = World(args)
    print(f"working in {world.tmp} (service.log is kept on failure)", flush=True)
    out: dict[str, Any] = {}
    try:
        await world.start_emulator()
        await world.prepare()
        t0 = time.monotonic()
        await world.start_service()
        assert world.svc is not None
        pid = world.svc.pid
        out["all_polling_s"] = round(await world.wait_polled(120), 1)
        out["started"] = proc_status(pid)
        # Idle: let the startup work (profiles, /start backlog, first sweeps) settle.
        await asyncio.sleep(args.settle)
        idle = [proc_status(pid)["VmRSS"]]
        for _ in range(10):
            await asyncio.sleep(0.5)
            idle.append(proc_status(pid)["VmRSS"])
        out["idle"] = {"VmRSS": max(idle), **{"VmHWM": proc_status(pid)["VmHWM"]}}
        out["threads_idle"] = threads(pid)
        redis_children = children(pid)
        out["redis_child"] = proc_status(redis_children[0]) if redis_children else {}
        # Load: post events while sampling, then wait for delivery to drain.
        base = await world.sent()
        expected = args.events * args.subs
        peak = 0.0
        posting = asyncio.create_task(post_events(world, args.events))
        deadline = time.monotonic() + args.load_timeout
        last, last_change = 0, time.monotonic()
        while time.monotonic() < deadline:
            peak = max(peak, proc_status(pid).get("VmRSS", 0.0))
            done = await world.sent() - base
            if done != last:
                last, last_change = done, time.monotonic()
            if posting.done() and (done >= expected or time.monotonic() - last_change > 10):
                break
            await asyncio.sleep(0.25)
        accepted, post_s = await posting
        final = proc_status(pid)
        out["load"] = {
            "events_posted": args.events,
            "accepted": accepted,
            "post_seconds": round(post_s, 1),
            "messages_expected": expected,
            "messages_sent": last,
            "peak_sampled_rss": peak,
            "VmRSS_after": final["VmRSS"],
            "VmHWM": final["VmHWM"],
        }
        out["wall_s"] = round(time.monotonic() - t0, 1)
    finally:
        await world.stop()
    out["service_exit"] = world.svc.returncode if world.svc else None
    if args.keep:
        out["log"] = str(world.tmp / "service.log")
    else:
        shutil.rmtree(world.tmp, ignore_errors=True)
    return out


def table(r: dict[str, Any], args: argparse.Namespace) -> str:
    mib = "{:.1f} MiB".format
    load = r["load"]
    verdict = "under" if load["VmHWM"] < TARGET_MIB else "OVER"
    rows = [
        ("started, every bot polling", mib(r["started"]["VmRSS"]), mib(r["started"]["VmHWM"])),
        (f"idle, {args.bots} custom bots + default", mib(r["idle"]["VmRSS"]),
         mib(r["idle"]["VmHWM"])),
        (
            f"load: {load['accepted']} events → {load['messages_sent']} messages",
            mib(load["peak_sampled_rss"]),
            mib(load["VmHWM"]),
        ),
    ]  # fmt: skip
    lines = [
        "| `perezvon run` (role all) | RSS | peak (VmHWM) |",
        "| --- | --- | --- |",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        f"target < 200 MB ({mib(TARGET_MIB)}): {verdict} ({mib(load['VmHWM'])} peak); "
        f"threads idle {r['threads_idle']}; embedded redis-server child "
        f"{mib(r['redis_child'].get('VmRSS', 0.0))} (not counted); all bots polling after "
        f"{r['all_polling_s']} s; events posted in {load['post_seconds']} s; "
        f"service exit code {r['service_exit']}",
    ]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bots", type=int, default=100, help="custom bots (tenants)")
    parser.add_argument("--subs", type=int, default=2, help="subscribers per tenant")
    parser.add_argument("--events", type=int, default=3000, help="events posted under load")
    parser.add_argument("--settle", type=float, default=15.0, help="idle seconds before measuring")
    parser.add_argument("--load-timeout", type=float, default=180.0)
    parser.add_argument("--limits", action="store_true", help="emulator flood control on")
    parser.add_argument("--keep", action="store_true", help="keep DATA_DIR and service.log")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cpus, Python {platform.python_version()}, "
        f"{platform.platform()}",
        flush=True,
    )
    result = await run(args)
    print(table(result, args))
    if "log" in result:
        print(f"service log: {result['log']}")


if __name__ == "__main__":
    asyncio.run(main())
