"""Ingest benchmark: durable events/s over HTTP versus a bare aiohttp handler, and p99 at 1,000/s.

    .venv/bin/python bench/ingest_bench.py [--seconds 5] [--redis-url redis://127.0.0.1:6379/14]

Without --redis-url an embedded Redis with appendfsync=always (every accepted event fsynced)
runs in a temporary directory. The server under test runs in its own process; this process
generates the load over loopback. It stops by itself after (4 x rounds + 1) x --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from delivery.intake import Intake  # noqa: E402
from perezvon.embedded_redis import EmbeddedRedis  # noqa: E402
from perezvon.metrics import Metrics  # noqa: E402
from store import Store, connect  # noqa: E402
from store.crypto import SecretBox  # noqa: E402
from store.intake import IntakeIndex  # noqa: E402
from webhook_ingest.app import build_app, serve  # noqa: E402

SECRET = "bench-secret-key-not-for-production"


# --- the server side (run as a child process) --------------------------------------------


async def _run_server(kind: str, port: int, redis_url: str) -> None:
    from aiohttp import web

    if kind == "bare":

        async def handler(request: web.Request) -> web.Response:
            body = await request.read()
            return web.json_response({"call_id": str(len(body)), "status": "accepted"}, status=202)

        app = web.Application()
        app.router.add_post("/v1/events", handler)
    else:
        redis = connect(redis_url)
        store = Store(redis, SecretBox(SECRET))
        app = build_app(store, Intake(store), Metrics(redis))
    served = await serve(app, "127.0.0.1", port)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await served.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server child process; stops when its stdin closes."""

    def __init__(self, kind: str, redis_url: str) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, "--port", str(self.port),
             "--redis-url", redis_url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"{kind} server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/events"

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


# --- the load generator -------------------------------------------------------------------


class Bodies:
    """Unique events, pre-encoded cheaply so the load generator spends little CPU."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.n = 0

    def next(self, batch: int) -> bytes:
        items = []
        for _ in range(batch):
            self.n += 1
            items.append(
                f'{{"call_id":"{self.tag}-{self.n}","caller":"+7495{self.n:07d}",'
                f'"started_at":"2026-01-31T09:15:00+03:00","wait_seconds":12.5}}'
            )
        return (items[0] if batch == 1 else "[" + ",".join(items) + "]").encode()


async def closed_loop(url: str, key: str, seconds: float, workers: int, batch: int, tag: str):
    """As fast as `workers` concurrent clients can go; returns (events/s, events sent)."""
    bodies = Bodies(tag)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    done = 0
    deadline = time.perf_counter() + seconds
    conn = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(connector=conn) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.post(url, data=bodies.next(batch), headers=headers) as resp:
                    await resp.read()
                    if resp.status != 202:
                        raise RuntimeError(f"status {resp.status}")
                done += batch

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(workers)))
        elapsed = time.perf_counter() - start
    return done / elapsed, done


async def steady(url: str, key: str, seconds: float, rate: float, tag: str) -> dict:
    """Open loop at `rate` single-event requests/s; latency counted from the scheduled send."""
    bodies = Bodies(tag)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors = 0
    conn = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=conn) as session:

        async def one(scheduled: float) -> None:
            nonlocal errors
            async with session.post(url, data=bodies.next(1), headers=headers) as resp:
                await resp.read()
                errors += resp.status != 202
            latencies.append(time.perf_counter() - scheduled)

        start = time.perf_counter()
        total = int(seconds * rate)
        tasks = []
        for i in range(total):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(scheduled)))
        await asyncio.gather(*tasks)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"sent": total, "errors": errors, "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "max_ms": latencies[-1] * 1000}  # fmt: skip


async def _tenant(redis_url: str) -> tuple[str, str]:
    redis = connect(redis_url)
    store = Store(redis, SecretBox(SECRET))
    await redis.flushdb()
    await store.migrate()
    tenant, key = await store.tenants.create("Bench", "Europe/Moscow", "ru")
    await redis.aclose()
    return tenant.id, key


async def _queued(redis_url: str) -> int:
    redis = connect(redis_url)
    try:
        return await IntakeIndex(redis).backlog()
    finally:
        await redis.aclose()


def _ratio(ours: list[float], bare: list[float]) -> float:
    """The median of the per-round ratios (each round measured both back to back)."""
    return round(statistics.median(o / b for o, b in zip(ours, bare, strict=True)), 3)


async def run(redis_url: str, seconds: float, workers: int, rounds: int, label: str) -> dict:
    _, key = await _tenant(redis_url)
    report: dict = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "redis": label,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "client_workers": workers,
    }
    # Both servers stay up; each round measures them back to back, so a neighbour's load on
    # this shared machine hits both sides of a ratio alike. Medians are reported.
    bare, ingest = Server("bare", redis_url), Server("ingest", redis_url)
    runs: dict[str, list[float]] = {k: [] for k in ("bare1", "ing1", "bare100", "ing100")}
    sent = 0
    try:
        for r in range(rounds):
            for name, server, batch in (
                ("bare1", bare, 1),
                ("ing1", ingest, 1),
                ("bare100", bare, 100),
                ("ing100", ingest, 100),
            ):
                rate, n = await closed_loop(server.url, key, seconds, workers, batch, f"{name}{r}")
                runs[name].append(rate)
                sent += n if server is ingest else 0
        report["steady_1000_per_s"] = await steady(ingest.url, key, seconds, 1000, "t")
        sent += report["steady_1000_per_s"]["sent"]
    finally:
        bare.stop()
        ingest.stop()
    med = {k: statistics.median(v) for k, v in runs.items()}
    report["single_event_requests"] = {
        "ingest_events_per_s": round(med["ing1"]),
        "bare_requests_per_s": round(med["bare1"]),
        "ratio": _ratio(runs["ing1"], runs["bare1"]),
        "ingest_each_round": [round(x) for x in runs["ing1"]],
    }
    report["batches_of_100"] = {
        "ingest_events_per_s": round(med["ing100"]),
        "bare_events_per_s": round(med["bare100"]),
        "ratio": _ratio(runs["ing100"], runs["bare100"]),
    }
    # Every 202 answered by the ingest server must be an entry in the intake stream.
    report["answered_202"] = sent
    report["queued_in_redis"] = await _queued(redis_url)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis-url", help="use this Redis (its database is FLUSHED)")
    parser.add_argument("--serve", choices=["bare", "ingest"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_run_server(args.serve, args.port, args.redis_url))
        return
    if args.redis_url:
        report = asyncio.run(
            run(args.redis_url, args.seconds, args.workers, args.rounds, args.redis_url)
        )
    else:
        with tempfile.TemporaryDirectory(prefix="pz-bench-") as tmp:
            with EmbeddedRedis(Path(tmp), appendfsync="always") as redis:
                label = "embedded redis-server, appendonly yes, appendfsync always"
                report = asyncio.run(run(redis.url, args.seconds, args.workers, args.rounds, label))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
