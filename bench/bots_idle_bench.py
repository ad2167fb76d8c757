"""Idle cost of the bot runtime: CPU and memory of `perezvon run --role bot` with N custom bots,
polling and by webhook (issue 17: large operators run their bots on webhooks).

    .venv/bin/python bench/bots_idle_bench.py [--bots 1000] [--mode polling|webhook|both]
        [--window 30]

Loopback only. The Telegram emulator runs as its own process; tenants and their active custom
bots are written through the store into an embedded Redis under a temporary DATA_DIR (as
bench/service_bench.py does); then `perezvon run` (role bot) starts on it as a subprocess. Once
every bot is being served (polling: each has called getUpdates; webhook: each has a webhook
set), the process is left idle for a settling time and its CPU time (utime + stime from
/proc/<pid>/stat, its embedded redis-server child apart) is read over `--window` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from service_bench import SECRET, World, children, free_port, proc_status, threads  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class IdleWorld(World):
    """The service in role bot, polling or taking webhooks on its ingest port."""

    def __init__(self, args: argparse.Namespace, webhook: bool) -> None:
        super().__init__(args)
        self.webhook = webhook

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
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        env.pop("PUBLIC_URL", None)
        if self.webhook:
            env["PUBLIC_URL"] = self.ingest
        self._open_log()
        self.svc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "perezvon",
            "run",
            "--role",
            "bot",
            cwd=self.tmp,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    async def wait_served(self, within: float) -> float:
        """Seconds until every bot polls (polling) or has its webhook set (webhook)."""
        return await self.wait_polled(within, "setwebhook" if self.webhook else "getupdates")


async def measure(args: argparse.Namespace, webhook: bool) -> dict[str, Any]:
    world = IdleWorld(args, webhook)
    world.args.subs = 0
    out: dict[str, Any] = {"mode": "webhook" if webhook else "polling", "bots": args.bots}
    try:
        await world.start_emulator()
        await world.prepare()
        t0 = time.monotonic()
        await world.start_service()
        assert world.svc is not None
        pid = world.svc.pid
        out["all_served_s"] = round(await world.wait_served(args.start_within), 1)
        out["start_s"] = round(time.monotonic() - t0, 1)
        await asyncio.sleep(args.settle)
        redis = children(pid)
        c0, r0, w0 = cpu_seconds(pid), cpu_seconds(redis[0]) if redis else 0.0, time.monotonic()
        await asyncio.sleep(args.window)
        c1, r1, w1 = cpu_seconds(pid), cpu_seconds(redis[0]) if redis else 0.0, time.monotonic()
        out["cpu_pct"] = round(100 * (c1 - c0) / (w1 - w0), 1)
        out["redis_cpu_pct"] = round(100 * (r1 - r0) / (w1 - w0), 1)
        out["rss_mib"] = round(proc_status(pid)["VmRSS"], 1)
        out["threads"] = threads(pid)
    finally:
        await world.stop()
    return out


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| bots | mode | start → all served | idle CPU (service) | idle CPU (redis) | RSS |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['bots']} | {r['mode']} | {r['start_s']} s | {r['cpu_pct']} % of a core | "
            f"{r['redis_cpu_pct']} % | {r['rss_mib']} MiB |"
        )
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bots", type=int, default=1000, help="custom bots (tenants)")
    parser.add_argument("--mode", choices=("polling", "webhook", "both"), default="both")
    parser.add_argument("--window", type=float, default=30.0, help="idle seconds measured")
    parser.add_argument("--settle", type=float, default=15.0, help="idle seconds before that")
    parser.add_argument("--start-within", type=float, default=600.0)
    parser.add_argument("--limits", action="store_true", help="emulator flood control on")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cpus, Python {platform.python_version()}, "
        f"{platform.platform()}",
        flush=True,
    )
    modes = {"polling": [False], "webhook": [True], "both": [False, True]}[args.mode]
    rows = [await measure(args, webhook) for webhook in modes]
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
