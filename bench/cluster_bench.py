"""Cluster benchmark: durable intake events/s with 1, 2 and 4 worker processes, on one Redis
and on a 3-master Redis Cluster (perezvon/local_redis.py), both on loopback without AOF; and
fan-out (intake entries -> queued messages) with 1, 2 and 4 worker processes on each.

    .venv/bin/python bench/cluster_bench.py [--seconds 3] [--workers 1,2,4] [--tenants 64]

Each worker process submits batches of missed calls through `Intake.submit_many` (the path of
the HTTP ingest after parsing: group check, record + intake append in the tenant's MULTI, the
ready-index mark) for its share of the tenants, as fast as it can. The figures are what one
machine's cores give: read the ratios (more processes, cluster over one Redis), not the
absolute numbers.

Fan-out: `--calls` missed calls of `--tenants` tenants (`--subscribers` each) wait in the intake;
then N processes each run a delivery worker's fan-out loop (store/intake.py's ready index, the
card, the routes, the FANOUT script) until every message is queued; the bench checks none was
queued twice. On the Cluster the whole queue is one slot (`{dlv}`, docs/redis.md): every
fan-out script runs on the one master that owns it.

Send: N `delivery.standalone --loose` worker processes (fan-out, claim, send, settle: the whole
worker) against a bare aiohttp Telegram fake in a process of its own that answers every
sendMessage at once; `--calls` calls of `--tenants` tenants are submitted once every worker is
ready, and the clock stops when the fake has taken every message. The bench checks every
(chat, call) arrived, and how many arrived twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from delivery.engine import DeliveryEngine  # noqa: E402
from delivery.intake import Intake  # noqa: E402
from delivery.policy import Options  # noqa: E402
from perezvon.local_redis import LocalCluster, redis_binary  # noqa: E402
from perezvon.metrics import Metrics  # noqa: E402
from perezvon.texts import Catalogue  # noqa: E402
from store import Store, connect  # noqa: E402
from store.crypto import SecretBox  # noqa: E402
from store.events import CallEvent  # noqa: E402
from store.intake import IntakeIndex  # noqa: E402

SECRET = "bench-secret-key-not-for-production"
BATCH = 20
TOKEN = "123456789:" + "A" * 35


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OneRedis:
    """A plain redis-server with the cluster nodes' settings (no AOF, no snapshots)."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="pz-bench-")
        self._port = _free_port()
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self._port}/0"

    def start(self) -> OneRedis:
        args = [str(redis_binary()), "--port", str(self._port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", self._tmp.name]  # fmt: skip
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self._port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)
        self._tmp.cleanup()


async def _setup(url: str, tenants: int) -> list[str]:
    redis = connect(url)
    try:
        await redis.flushall()
        store = Store(redis, SecretBox(SECRET))
        await store.migrate()
        return [(await store.tenants.create(f"T{i}", "UTC", "ru"))[0].id for i in range(tenants)]
    finally:
        await redis.aclose()


async def _submit(url: str, tids: list[str], seconds: float, tag: str) -> int:
    redis = connect(url)
    try:
        store = Store(redis, SecretBox(SECRET))
        intake = Intake(store)
        tenants = [await store.tenants.get(t) for t in tids]
        accepted, n = 0, 0
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            tenant = tenants[n % len(tenants)]
            events = [
                CallEvent(call_id=f"{tag}-{n}-{i}", caller="+74951234567") for i in range(BATCH)
            ]
            receipts = await intake.submit_many(tenant, events)
            accepted += sum(r.outcome == "accepted" for r in receipts)
            n += 1
        return accepted
    finally:
        await redis.aclose()


def _worker(url: str, tids: list[str], seconds: float, tag: str, out: mp.Queue) -> None:
    out.put(asyncio.run(_submit(url, tids, seconds, tag)))


async def _backlog(url: str) -> int:
    redis = connect(url)
    try:
        return await IntakeIndex(redis).backlog()
    finally:
        await redis.aclose()


def run(url: str, workers: int, tenants: int, seconds: float) -> dict:
    tids = asyncio.run(_setup(url, tenants))
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(url, tids[w::workers], seconds, f"w{w}", out))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    accepted = sum(out.get(timeout=seconds + 60) for _ in procs)
    for p in procs:
        p.join(10)
    queued = asyncio.run(_backlog(url))
    assert queued == accepted, (queued, accepted)  # every accepted event is in the intake
    return {"workers": workers, "events_per_s": round(accepted / seconds)}


async def _fill(url: str, tenants: int, subscribers: int, calls: int) -> int:
    tids = await _setup(url, tenants)
    redis = connect(url)
    try:
        store = Store(redis, SecretBox(SECRET))
        intake = Intake(store)
        for n, tid in enumerate(tids):
            for s in range(subscribers):
                await store.subs.activate(tid, 10_000 * (n + 1) + s, "S")
        tenant_of = [await store.tenants.get(t) for t in tids]
        for i in range(calls):
            # a different caller each time: every call opens a card of its own
            event = CallEvent(call_id=f"f{i}", caller=f"+7495{1000000 + i}")
            await intake.submit(tenant_of[i % len(tids)], event)
        return calls * subscribers
    finally:
        await redis.aclose()


async def _fan(url: str, name: str, ready: mp.Queue, go) -> None:
    redis = connect(url)
    store = Store(redis, SecretBox(SECRET))
    engine = DeliveryEngine(
        store,
        Metrics(redis),
        Catalogue(),
        api_base="http://127.0.0.1:9",
        default_token=TOKEN,
        consumer=name,
        options=Options(intake_block_ms=50),
    )
    await store.ping()
    ready.put(name)
    await asyncio.to_thread(go.wait)
    await engine.fanout.run()  # until the parent terminates this process


def _fan_worker(url: str, name: str, ready: mp.Queue, go) -> None:
    asyncio.run(_fan(url, name, ready, go))


async def _wait_queued(url: str, expected: int, limit: float = 300.0) -> int:
    """Poll (every 20 ms, one client) until `expected` messages are queued and no intake is
    left; returns how many are queued."""
    redis = connect(url)
    try:
        store = Store(redis, SecretBox(SECRET))
        engine = DeliveryEngine(
            store, Metrics(redis), Catalogue(), api_base="http://127.0.0.1:9",
            default_token=TOKEN, consumer="probe",
        )  # fmt: skip
        index = IntakeIndex(redis)
        deadline = time.monotonic() + limit
        while True:
            queued = (await engine.queue.depth()).queued
            if queued >= expected and await index.backlog() == 0:
                return queued
            if time.monotonic() > deadline:
                raise RuntimeError(f"fan-out stalled: {queued} of {expected} queued")
            await asyncio.sleep(0.02)
    finally:
        await redis.aclose()


def fan_out(url: str, workers: int, tenants: int, subscribers: int, calls: int) -> dict:
    expected = asyncio.run(_fill(url, tenants, subscribers, calls))
    ctx = mp.get_context("spawn")
    ready, go = ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=_fan_worker, args=(url, f"w{w}", ready, go)) for w in range(workers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=60)
    start = time.monotonic()
    go.set()
    try:
        queued = asyncio.run(_wait_queued(url, expected))
        took = time.monotonic() - start
    finally:
        for p in procs:
            p.terminate()
            p.join(10)
    assert queued == expected, (queued, expected)  # nothing queued twice
    return {"workers": workers, "messages_per_s": round(expected / took), "seconds": round(took, 2)}


def _fake_telegram(port: int, counts: mp.Queue) -> None:
    """Answers getMe and sendMessage at once; on SIGTERM reports (chat, text) -> sends."""
    import signal
    from collections import Counter

    from aiohttp import web

    seen: Counter[tuple[int, str]] = Counter()
    ids = iter(range(1, 10**9))

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"].lower()
        if name == "getme":
            me = {"id": 123456789, "is_bot": True, "first_name": "B", "username": "bench_bot"}
            return web.json_response({"ok": True, "result": me})
        params = await request.json()
        seen[(int(params["chat_id"]), params["text"])] += 1
        chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "S"}
        message = {"message_id": next(ids), "date": int(time.time()), "chat": chat, "text": "x"}
        return web.json_response({"ok": True, "result": message})

    async def total(request: web.Request) -> web.Response:
        return web.json_response({"messages": len(seen), "sends": sum(seen.values())})

    async def serve() -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", method)
        app.router.add_get("/total", total)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        counts.put({"messages": len(seen), "twice": sum(v - 1 for v in seen.values())})
        await runner.cleanup()

    asyncio.run(serve())


async def _subscribe(url: str, tenants: int, subscribers: int) -> list[str]:
    tids = await _setup(url, tenants)
    redis = connect(url)
    try:
        store = Store(redis, SecretBox(SECRET))
        for n, tid in enumerate(tids):
            for s in range(subscribers):
                await store.subs.activate(tid, 10_000 * (n + 1) + s, "S")
        return tids
    finally:
        await redis.aclose()


async def _submit_calls(url: str, tids: list[str], calls: int) -> None:
    redis = connect(url)
    try:
        store = Store(redis, SecretBox(SECRET))
        intake = Intake(store)
        tenants = [await store.tenants.get(t) for t in tids]
        for i in range(calls):
            event = CallEvent(call_id=f"s{i}", caller=f"+7495{1000000 + i}")
            await intake.submit(tenants[i % len(tenants)], event)
    finally:
        await redis.aclose()


async def _taken(api: str, expected: int, limit: float = 300.0) -> None:
    async with aiohttp.ClientSession() as http:
        deadline = time.monotonic() + limit
        while True:
            async with http.get(f"{api}/total") as resp:
                if (await resp.json())["messages"] >= expected:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError("the workers stalled")
            await asyncio.sleep(0.02)


def send(url: str, workers: int, tenants: int, subscribers: int, calls: int) -> dict:
    tids = asyncio.run(_subscribe(url, tenants, subscribers))
    ctx = mp.get_context("spawn")
    counts: mp.Queue = ctx.Queue()
    port = _free_port()
    api = f"http://127.0.0.1:{port}"
    fake = ctx.Process(target=_fake_telegram, args=(port, counts))
    fake.start()
    env = {**os.environ, "PZ_BOT_TOKEN": TOKEN, "PZ_SECRET_KEY": SECRET}
    procs = []
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for w in range(workers):
            args = [sys.executable, "-m", "delivery.standalone", "--redis", url, "--api", api,
                    "--consumer", f"w{w}", "--loose", "--senders", "64"]  # fmt: skip
            procs.append(subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE))
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == b"ready"
        start = time.monotonic()
        asyncio.run(_submit_calls(url, tids, calls))
        asyncio.run(_taken(api, calls * subscribers))
        took = time.monotonic() - start
    finally:
        for p in procs:
            p.terminate()
            p.wait(20)
        fake.terminate()
        got = counts.get(timeout=20)
        fake.join(10)
    expected = calls * subscribers
    assert got["messages"] == expected, (got, expected)
    return {
        "workers": workers,
        "messages_per_s": round(expected / took),
        "seconds": round(took, 2),
        "sent_twice": got["twice"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--tenants", type=int, default=64)
    parser.add_argument("--subscribers", type=int, default=20)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--only-send", action="store_true", help="just the send section")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(json.dumps({"machine": {"cpus": mp.cpu_count(), "python": platform.python_version()}}))
    if args.only_send:
        return sends(args, counts)
    results: dict[str, list[dict]] = {}
    for name, server in (("one_redis", OneRedis()), ("cluster_3_masters", LocalCluster())):
        server.start()
        try:
            results[name] = [run(server.url, n, args.tenants, args.seconds) for n in counts]
        finally:
            server.stop()
        base = results[name][0]["events_per_s"]
        for row in results[name]:
            row["vs_1_worker"] = round(row["events_per_s"] / base, 2)
        print(json.dumps({name: results[name]}))
    ratio = [
        round(c["events_per_s"] / o["events_per_s"], 2)
        for c, o in zip(results["cluster_3_masters"], results["one_redis"], strict=True)
    ]
    print(json.dumps({"cluster_over_one_redis": dict(zip(counts, ratio, strict=True))}))
    if args.skip_fanout:
        return
    for name, server in (("fan_out_one_redis", OneRedis()), ("fan_out_cluster", LocalCluster())):
        server.start()
        try:
            rows = [
                fan_out(server.url, n, args.tenants, args.subscribers, args.calls) for n in counts
            ]
        finally:
            server.stop()
        for row in rows:
            row["vs_1_worker"] = round(row["messages_per_s"] / rows[0]["messages_per_s"], 2)
        print(json.dumps({name: rows}))
    sends(args, counts)


def sends(args: argparse.Namespace, counts: list[int]) -> None:
    for name, server in (("send_one_redis", OneRedis()), ("send_cluster", LocalCluster())):
        server.start()
        try:
            rows = [send(server.url, n, args.tenants, args.subscribers, args.calls) for n in counts]
        finally:
            server.stop()
        for row in rows:
            row["vs_1_worker"] = round(row["messages_per_s"] / rows[0]["messages_per_s"], 2)
        print(json.dumps({name: rows}))


if __name__ == "__main__":
    main()
