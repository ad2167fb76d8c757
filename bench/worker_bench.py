"""Send path of ONE worker process: messages/s and CPU per message across many bots, each within
its own limits, with the ratio to a bare aiohttp sender in the same run (issue 17).

    flock /work/bench.lock env PYTHONPATH=. .venv/bin/python bench/worker_bench.py \
        [--bots 100] [--subscribers 40] [--calls 5] [--rates 10,25] [--profile FILE]

Loopback only: an embedded Redis (AOF, fsync every second), a bare aiohttp Telegram fake in its
own process (getMe and sendMessage answered at once; it records the arrival of every send per
bot token and per chat), and `python -m delivery.standalone` with its default strict Limits.
Each of `--bots` tenants has its own custom bot paced at a rate of its own (spread evenly over
`--rates`, at most Telegram's free 30/s) and `--subscribers` subscribers who started it; each
tenant gets `--calls` missed calls, fanned out BEFORE the worker starts (so the worker only
claims, sends and settles). The bench then checks Telegram's limits as the fake saw them: no
bot above 30 (nor above its own rate) in any 1-s window, no private chat above 1.

The bare sender: one process, one aiohttp session, the same number of sendMessage (the same
body the worker sends) at the same concurrency (`--senders`) to the same fake, no limits and no
Redis: what the HTTP round trip alone costs on this machine.

Profile: `--profile /tmp/worker.prof` runs the worker under cProfile (PZ_PROFILE, see
delivery/standalone.py) and prints the top entries by own time and by cumulative time; the
profiler roughly doubles the CPU per message, so read shares, not the absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import platform
import pstats
import secrets
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from delivery_bench import cpu_seconds, free_port  # noqa: E402

from delivery.engine import DeliveryEngine  # noqa: E402
from delivery.intake import Intake  # noqa: E402
from delivery.pacing import BotPace, Pace  # noqa: E402
from delivery.policy import Options  # noqa: E402
from perezvon.embedded_redis import EmbeddedRedis  # noqa: E402
from perezvon.metrics import Metrics  # noqa: E402
from perezvon.texts import Catalogue  # noqa: E402
from store import Store, connect  # noqa: E402
from store.crypto import SecretBox  # noqa: E402
from store.events import CallEvent  # noqa: E402

SELF = str(Path(__file__).resolve())  # this script, run again as the fake or the bare sender
SECRET = secrets.token_urlsafe(24)
DEFAULT_ID = 900_000_001


def token_of(bot_id: int) -> str:
    return f"{bot_id}:" + "A" * 35


# --- the Telegram fake (its own process) ----------------------------------------------------


def serve_fake(port: int) -> None:
    """getMe and sendMessage answered at once; every send's arrival kept per token and chat."""
    arrivals: dict[str, list[tuple[float, int]]] = defaultdict(list)
    counter = [0]
    sample: dict = {}

    async def method(request: web.Request) -> web.Response:
        now = time.time()
        token, name = request.match_info["token"], request.match_info["method"]
        bot_id = int(token.split(":", 1)[0])
        if name == "getMe":
            me = {"id": bot_id, "is_bot": True, "first_name": "B", "username": f"b{bot_id}_bot"}
            return web.json_response({"ok": True, "result": me})
        if name != "sendMessage":
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"})
        body = json.loads(await request.read())
        chat = int(body["chat_id"])
        arrivals[token].append((now, chat))
        if not sample:
            sample.update(body)
        counter[0] += 1
        result = {
            "message_id": counter[0],
            "date": int(now),
            "chat": {"id": chat, "type": "private"},
            "text": body.get("text", ""),
        }
        return web.json_response({"ok": True, "result": result})

    async def log(_: web.Request) -> web.Response:
        return web.json_response(arrivals)

    async def first(_: web.Request) -> web.Response:
        return web.json_response(sample)

    async def count(_: web.Request) -> web.Response:
        return web.json_response({"n": counter[0]})

    async def reset(_: web.Request) -> web.Response:
        arrivals.clear()
        counter[0] = 0
        return web.json_response({"n": 0})

    app = web.Application()
    app.router.add_get("/_log", log)
    app.router.add_get("/_count", count)
    app.router.add_get("/_sample", first)
    app.router.add_post("/_reset", reset)
    app.router.add_post("/bot{token}/{method}", method)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


# --- the bare aiohttp sender (its own process) ----------------------------------------------


def bare_sender(api: str, jobs_file: str, senders: int) -> None:
    """Posts every (token, body) of `jobs_file` with one session, `senders` at a time."""
    jobs = json.loads(Path(jobs_file).read_text())

    async def main() -> dict:
        connector = aiohttp.TCPConnector(limit=senders * 2)
        async with aiohttp.ClientSession(connector=connector) as session:
            queue = iter(jobs)
            start_cpu, t0 = cpu_seconds(os.getpid()), time.monotonic()

            async def one() -> None:
                for token, body in queue:
                    data = json.dumps(body, ensure_ascii=False).encode()
                    url = f"{api}/bot{token}/sendMessage"
                    headers = {"Content-Type": "application/json"}
                    async with session.post(url, data=data, headers=headers) as res:
                        answer = json.loads(await res.read())
                        assert answer["ok"], answer

            await asyncio.gather(*(one() for _ in range(senders)))
            took, cpu = time.monotonic() - t0, cpu_seconds(os.getpid()) - start_cpu
            return {"messages": len(jobs), "seconds": took, "cpu_s": cpu}

    print(json.dumps(asyncio.run(main())), flush=True)


# --- the bench ------------------------------------------------------------------------------


class Child:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.args, self.env = args, {**os.environ, **(env or {})}
        self.p: asyncio.subprocess.Process | None = None

    async def start(self, ready: bytes | None = b"ready") -> Child:
        self.p = await asyncio.create_subprocess_exec(
            sys.executable, *self.args, cwd=ROOT, env=self.env, stdout=asyncio.subprocess.PIPE
        )
        if ready:
            line = await asyncio.wait_for(self.p.stdout.readline(), 60)
            assert ready in line, line
        return self

    async def wait(self) -> str:
        out, _ = await asyncio.wait_for(self.p.communicate(), 170)
        return (out or b"").decode()

    async def stop(self) -> str:
        if self.p.returncode is None:
            self.p.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(self.p.communicate(), 120)
        return (out or b"").decode()


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most sends that fall in any half-open window [t, t + window)."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


async def setup(store: Store, args: argparse.Namespace) -> tuple[list, dict[int, float]]:
    lo, hi = (float(x) for x in args.rates.split(","))
    tenants, rates = [], {}
    pace = BotPace(store.redis)
    for i in range(args.bots):
        tenant, _ = await store.tenants.create(f"W{i}", "UTC", "ru")
        bot_id = 800_000_000 + i
        added = await store.bots.add(tenant.id, f"W{i}", token_of(bot_id), f"w{i}_bot", bot_id)
        await store.bots.activate(tenant.id, added.id)
        rate = lo + (hi - lo) * (i / max(1, args.bots - 1))
        await pace.set(bot_id, Pace.checked(rate, paid=False))
        rates[bot_id] = rate
        for s in range(args.subscribers):
            chat = 10_000_000 + i * 1000 + s
            await store.started.mark(bot_id, chat)
            await store.subs.activate(tenant.id, chat, f"S{s}")
        tenants.append(tenant)
    return tenants, rates


async def fill(store: Store, tenants: list, calls: int, expected: int) -> float:
    """Submit the calls and fan them out here (a worker's fan-out, not started as one)."""
    intake = Intake(store)
    for c in range(calls):
        for n, tenant in enumerate(tenants):
            event = CallEvent(call_id=f"c{c}-{n}", caller=f"+7495{c:03d}{n:04d}")
            await intake.submit(tenant, event)
    engine = DeliveryEngine(
        store,
        Metrics(store.redis),
        Catalogue(),
        api_base="http://127.0.0.1:9",
        default_token=token_of(DEFAULT_ID),
        consumer="filler",
        options=Options(intake_block_ms=50),
    )
    t0 = time.monotonic()
    await engine.fanout.ensure_group()
    task = asyncio.create_task(engine.fanout.run())
    while (await engine.queue.depth()).queued < expected:
        if time.monotonic() - t0 > 120:
            raise RuntimeError("fan-out stalled")
        await asyncio.sleep(0.05)
    engine.fanout.stopping = True
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return time.monotonic() - t0


async def wait_sent(session: aiohttp.ClientSession, api: str, n: int, limit: float) -> None:
    deadline = time.monotonic() + limit
    while True:
        async with session.get(f"{api}/_count") as res:
            got = (await res.json())["n"]
        if got >= n:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{got} of {n} sent")
        await asyncio.sleep(0.05)


def print_profile(path: str, top: int) -> None:
    stats = pstats.Stats(path)
    total = stats.total_tt  # type: ignore[attr-defined]
    for key in ("tottime", "cumulative"):
        rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2 if key == "tottime" else 3])
        out = []
        for (file, line, func), (_, calls, tt, ct, _) in rows[:top]:
            where = f"{Path(file).name}:{line}({func})" if line else func
            share = (tt if key == "tottime" else ct) / total * 100
            out.append({"where": where, "calls": calls, "share_percent": round(share, 1)})
        print(json.dumps({f"profile_by_{key}": out, "profiled_cpu_s": round(total, 2)}))


async def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="pzw-"))
    redis_server = EmbeddedRedis(tmp, appendfsync="everysec")
    redis_url = redis_server.start()
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    fake = await Child(SELF, "--serve-fake", str(port)).start()
    store = Store(connect(redis_url), SecretBox(SECRET))
    session = aiohttp.ClientSession()
    worker: Child | None = None
    try:
        await store.migrate()
        tenants, rates = await setup(store, args)
        expected = args.bots * args.subscribers * args.calls
        fanned = await fill(store, tenants, args.calls, expected)
        print(json.dumps({"queued": expected, "fan_out_s": round(fanned, 2)}), flush=True)
        env = {"PZ_BOT_TOKEN": token_of(DEFAULT_ID), "PZ_SECRET_KEY": SECRET}
        if args.profile:
            env["PZ_PROFILE"] = args.profile
        worker = Child(
            "-m", "delivery.standalone", "--redis", redis_url, "--api", api,
            "--consumer", "bench", "--senders", str(args.senders), env=env,
        )  # fmt: skip
        await worker.start()
        pid = worker.p.pid
        cpu0 = {"worker": cpu_seconds(pid), "redis": cpu_seconds(redis_server.pid),
                "fake": cpu_seconds(fake.p.pid)}  # fmt: skip
        t0 = time.monotonic()
        await wait_sent(session, api, expected, limit=170)
        wall = time.monotonic() - t0
        cpu = {
            "worker": cpu_seconds(pid) - cpu0["worker"],
            "redis": cpu_seconds(redis_server.pid) - cpu0["redis"],
            "fake": cpu_seconds(fake.p.pid) - cpu0["fake"],
        }
        async with session.get(f"{api}/_log") as res:
            log = await res.json()
        final = await worker.stop()
        worker = None
        counts = json.loads(final.strip().splitlines()[-1])["counts"]
        times = sorted(t for sends in log.values() for t, _ in sends)
        span = times[-1] - times[0]
        per_chat: dict[int, list[float]] = defaultdict(list)
        bot_max, over_own = 0, 0
        for token, sends in log.items():
            most = max_in_window([t for t, _ in sends])
            bot_max = max(bot_max, most)
            over_own += most > rates[int(token.split(":")[0])]
            for t, chat in sends:
                per_chat[chat].append(t)
        chat_max = max(max_in_window(ts) for ts in per_chat.values())
        bound = sum(min(r * 0.97, args.subscribers) for r in rates.values())
        # The run ends with its slowest bot: each bot's messages at its paced rate (1 % margin),
        # each chat's `calls` a second apart; the fastest the whole run could go.
        per_bot = args.subscribers * args.calls
        slowest = max(max(per_bot / (r * 0.99), args.calls - 1.0) for r in rates.values())
        engine = {
            "messages": len(times),
            "sent_by_worker": counts.get("sent", 0),
            "messages_per_s": round(len(times) / span),
            "pacing_bound_per_s": round(bound),
            "makespan_bound_per_s": round(len(times) / slowest),
            "worker_cpu_us_per_message": round(cpu["worker"] / len(times) * 1e6),
            "worker_cpu_percent_of_one_core": round(cpu["worker"] / wall * 100, 1),
            "redis_cpu_us_per_message": round(cpu["redis"] / len(times) * 1e6),
            "fake_cpu_us_per_message": round(cpu["fake"] / len(times) * 1e6),
            "max_per_bot_in_any_1s": bot_max,
            "bots_over_own_rate_in_any_1s": over_own,
            "max_per_chat_in_any_1s": chat_max,
        }
        assert engine["messages"] == expected, engine  # each message exactly once
        assert bot_max <= 30 and chat_max <= 1, engine
        print(json.dumps({"worker": engine}), flush=True)
        # The bare sender: the same sends, the same fake, one aiohttp session.
        async with session.post(f"{api}/_reset") as res:
            await res.read()
        async with session.get(f"{api}/_sample") as res:
            body = await res.json()  # the first send's body as the worker made it
        jobs = [
            [token, {**body, "chat_id": chat}] for token, sends in log.items() for _, chat in sends
        ]
        jobs_file = tmp / "bare.json"
        jobs_file.write_text(json.dumps(jobs))
        bare = Child(SELF, "--bare", api, str(jobs_file),
                     str(args.senders))  # fmt: skip
        await bare.start(ready=None)
        result = json.loads((await bare.wait()).strip().splitlines()[-1])
        bare_rate = result["messages"] / result["seconds"]
        bare_cpu = result["cpu_s"] / result["messages"] * 1e6
        print(json.dumps({"bare_aiohttp": {
            "messages_per_s": round(bare_rate),
            "cpu_us_per_message": round(bare_cpu),
        }}), flush=True)  # fmt: skip
        print(json.dumps({"ratio": {
            "worker_rate_over_bare": round(engine["messages_per_s"] / bare_rate, 3),
            "worker_cpu_over_bare": round(engine["worker_cpu_us_per_message"] / bare_cpu, 2),
        }}), flush=True)  # fmt: skip
        if args.profile:
            print_profile(args.profile, args.top)
    finally:
        if worker is not None:
            await worker.stop()
        await fake.stop()
        await session.close()
        await store.redis.aclose()
        redis_server.stop()


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve-fake":
        serve_fake(int(sys.argv[2]))
        return
    if len(sys.argv) > 4 and sys.argv[1] == "--bare":
        bare_sender(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bots", type=int, default=100)
    parser.add_argument("--subscribers", type=int, default=40)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--rates", default="10,25", help="lowest,highest rate of a bot (msg/s)")
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--profile", default="", help="cProfile the worker into this file")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    print(json.dumps({"machine": machine, "args": vars(args)}), flush=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
