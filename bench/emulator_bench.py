"""Bench the Telegram emulator: sendMessage throughput on loopback and its memory afterwards.

The emulator runs in its own process (`python -m tg_emulator --no-limits`) so the load
generator does not share its event loop; the load comes from this process: N concurrent
aiohttp tasks on one shared session, each posting sendMessage as python-telegram-bot does
(form-encoded). Bounded by --seconds; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tg_emulator.client import EmulatorClient  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_up(base: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.get(f"{base}/_emulator/health") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("emulator did not start")


async def load(base: str, token: str, chats: list[int], concurrency: int, seconds: float) -> int:
    url = f"{base}/bot{token}/sendMessage"
    deadline = time.monotonic() + seconds
    sent = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(n: int) -> None:
            nonlocal sent
            i = n
            while time.monotonic() < deadline:
                form = {"chat_id": str(chats[i % len(chats)]), "text": f"<b>Missed call</b> #{i}",
                        "parse_mode": "HTML"}  # fmt: skip
                async with session.post(url, data=form) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"unexpected {resp.status}")
                sent += 1
                i += concurrency

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return sent


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--chats", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "tg_emulator", "--port", str(port), "--no-limits"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    try:
        await wait_up(base)
        async with EmulatorClient(base) as client:
            bot = await client.create_bot("bench_bot")
            chats = []
            for i in range(args.chats):
                user = await client.create_user(f"U{i}")
                await client.send_command(bot["id"], user["id"], "start")
                chats.append(user["id"])
            rss_before = rss_mib(proc.pid)
            started = time.monotonic()
            sent = await load(base, bot["token"], chats, args.concurrency, args.seconds)
            elapsed = time.monotonic() - started
            stats = await client.stats(bot["id"])
        rss_after = rss_mib(proc.pid)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)
    print("| metric | value |\n| --- | --- |")
    print(f"| machine | {os.cpu_count()} cores, Python {sys.version.split()[0]} |")
    print(f"| load | {args.concurrency} concurrent aiohttp clients (bench process), "
          f"emulator in its own process, {args.chats} private chats |")  # fmt: skip
    print(f"| sendMessage served | {sent} in {elapsed:.1f} s |")
    print(f"| throughput | {sent / elapsed:,.0f} messages/s |")
    print(f"| emulator RSS before load | {rss_before:.1f} MiB |")
    print(f"| emulator RSS after {stats['messages_sent']} messages | {rss_after:.1f} MiB |")
    print(f"| RSS per stored message | {(rss_after - rss_before) * 1024 / max(sent, 1):.2f} KiB |")


if __name__ == "__main__":
    asyncio.run(main())
