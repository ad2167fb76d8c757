"""Delivery benchmarks (docs/delivery.md): latency, broadcast makespan vs PTB's AIORateLimiter,
fairness, memory, a paid broadcast, the 429 back-off and its recovery. Loopback only: an
embedded Redis, the emulator and the workers as processes.

    .venv/bin/python bench/delivery_bench.py [--quick] [--only broadcast] [--models strict,lenient]
        [--sizes 3000]

Every pacing scenario runs against each emulator limit model (`--models`): "strict" (sliding
windows: at most 30 sends in ANY second per bot, 1/s per private chat) and "lenient" (token
buckets), and PTB's AIORateLimiter(30/s, 3 retries) runs the same workload on the same emulator.
"×" is the makespan (the call's submission to the last send) over the bound N / 30 s.

The driver calls Intake.submit directly (no HTTP ingest) and reads the emulator's own log
(`time` of each sendMessage) for arrival times.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from telegram.ext import AIORateLimiter, ExtBot

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from delivery.intake import Intake  # noqa: E402
from perezvon.embedded_redis import EmbeddedRedis  # noqa: E402
from store import Store, connect  # noqa: E402
from store.crypto import SecretBox  # noqa: E402
from store.events import CallEvent  # noqa: E402
from tg_emulator.client import EmulatorClient  # noqa: E402

SECRET = secrets.token_urlsafe(24)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Proc:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.args, self.env = args, {**os.environ, **(env or {})}
        self.p: asyncio.subprocess.Process | None = None

    async def start(self, ready: bytes | None = None) -> Proc:
        self.p = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.args,
            cwd=ROOT,
            env=self.env,
            stdout=asyncio.subprocess.PIPE if ready else asyncio.subprocess.DEVNULL,
        )
        if ready:
            line = await asyncio.wait_for(self.p.stdout.readline(), 30)
            assert ready in line, line
        return self

    async def stop(self) -> str:
        self.p.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(self.p.communicate(), 60)
        return (out or b"").decode()


class Bench:
    def __init__(self, limits: bool | str) -> None:
        # True: the strict model; a model's name; False: no limits.
        self.model = "strict" if limits is True else limits

    async def __aenter__(self) -> Bench:
        self.tmp = tempfile.mkdtemp(prefix="pzb-")
        self.redis_server = EmbeddedRedis(Path(self.tmp), appendfsync="everysec")
        self.redis_url = self.redis_server.start()
        port = free_port()
        self.api = f"http://127.0.0.1:{port}"
        model = ["--limits", self.model] if self.model else ["--no-limits"]
        # every send of the biggest scenario stays in the log (its arrival times are read back)
        args = ["-m", "tg_emulator", "--port", str(port), *model, "--api-log-limit", "200000"]
        self.emu = await Proc(*args).start()
        self.tg = EmulatorClient(self.api)
        for _ in range(100):
            try:
                await self.tg.bots()
                break
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
        self.default = await self.tg.create_bot("bench_default_bot")
        self.store = Store(connect(self.redis_url), SecretBox(SECRET))
        await self.store.migrate()
        self.workers: list[Proc] = []
        return self

    async def worker(self, name: str, loose: bool = False) -> Proc:
        args = [
            "-m",
            "delivery.standalone",
            "--redis",
            self.redis_url,
            "--api",
            self.api,
            "--consumer",
            name,
            *SENDERS,
        ] + (["--loose"] if loose else [])
        env = {"PZ_BOT_TOKEN": self.default["token"], "PZ_SECRET_KEY": SECRET}
        proc = await Proc(*args, env=env).start(b"ready")
        self.workers.append(proc)
        return proc

    async def tenant(self, name: str, users: int, custom: bool = False):
        tenant, _ = await self.store.tenants.create(name, "Europe/Moscow", "ru")
        bot = self.default
        if custom:
            bot = await self.tg.create_bot(f"bench_{name.lower()}_bot")
            added = await self.store.bots.add(
                tenant.id, name, bot["token"], bot["username"], bot["id"]
            )
            await self.store.bots.activate(tenant.id, added.id)
        chats = []
        for i in range(0, users, 50):
            made = await asyncio.gather(
                *(self.tg.create_user(f"{name}{j}") for j in range(i, min(users, i + 50)))
            )
            await asyncio.gather(*(self.tg.send_command(bot["id"], u["id"], "start") for u in made))
            for u in made:
                await self.store.started.mark(bot["id"], u["id"])
                await self.store.subs.activate(tenant.id, u["id"], u["first_name"])
                chats.append(u["id"])
        return tenant, bot, chats

    async def sends(self, bot_id: int) -> list[dict]:
        return [e for e in await self.tg.api_log(bot_id, "sendMessage") if e["status"] == 200]

    async def arrivals(self, bot_id: int) -> dict:
        """As the emulator logged them: the most sends accepted in any 1 s (its paid window's
        referee), and the calls it refused with a 429."""
        log = await self.tg.api_log(bot_id, "sendMessage")
        times = [e["time"] for e in log if e["status"] == 200]
        return {
            "max_sends_in_any_second": most_in_any_window(times, 1.0),
            "refused_429": sum(e["status"] == 429 for e in log),
        }

    async def wait_count(self, bot_id: int, n: int, within: float) -> float:
        deadline = time.monotonic() + within
        while True:
            stats = await self.tg.stats(bot_id)
            if stats["messages_sent"] >= n:
                return time.time()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{stats['messages_sent']} of {n} sent")
            await asyncio.sleep(0.05)

    async def __aexit__(self, *exc: object) -> None:
        for w in self.workers:
            await w.stop()
        await self.emu.stop()
        await self.tg.close()
        await self.store.redis.aclose()
        self.redis_server.stop()


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of times in any half-open window [t, t + window)."""
    ts = sorted(times)
    return max((bisect.bisect_left(ts, t + window) - i for i, t in enumerate(ts)), default=0)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


async def latency(quick: bool, models: list[str]) -> dict:
    """2. intake -> sendMessage at 100 events/s, 100 tenants with one subscriber each."""
    seconds = 3 if quick else 10
    async with Bench(limits=False) as b:
        tenants = [await b.tenant(f"L{i}", 1) for i in range(100)]
        await b.worker("lat", loose=True)
        intake, submitted = Intake(b.store), {}
        start = time.monotonic()
        for i in range(100 * seconds):
            await asyncio.sleep(max(0.0, start + i / 100 - time.monotonic()))
            tenant = tenants[i % 100][0]
            caller = f"+7495{i:07d}"
            submitted[caller] = time.time()
            await intake.submit(tenant, CallEvent(call_id=f"l{i}", caller=caller))
        await b.wait_count(b.default["id"], 100 * seconds, 30)
        lat = []
        for e in await b.sends(b.default["id"]):
            caller = e["params"]["text"].split("Перезвонить: ")[1].split("\n")[0]
            lat.append((e["time"] - submitted[caller]) * 1000)
        return {
            "events": len(lat),
            "p50_ms": round(pct(lat, 50), 2),
            "p99_ms": round(pct(lat, 99), 2),
            "max_ms": round(max(lat), 2),
        }


MODELS = ["strict", "lenient"]
SENDERS: list[str] = []  # `--senders N` for every worker (default: the engine's own)


async def start_users(b: Bench, bot_id: int, chats: list[int]) -> None:
    for i in range(0, len(chats), 100):
        await asyncio.gather(*(b.tg.send_command(bot_id, c, "start") for c in chats[i : i + 100]))


async def ptb_blast(b: Bench, token: str, chats: list[int]) -> tuple[float, int]:
    """PTB's AIORateLimiter (30/s per bot, 3 retries on 429) sends to every chat at once;
    returns (seconds to the last answer, failed sends)."""
    ptb = ExtBot(token, base_url=f"{b.api}/bot", rate_limiter=AIORateLimiter(max_retries=3))
    async with ptb:
        t0 = time.time()
        results = await asyncio.gather(
            *(ptb.send_message(c, "📞 Пропущенный вызов") for c in chats),
            return_exceptions=True,
        )
        return time.time() - t0, sum(isinstance(r, Exception) for r in results)


async def one_broadcast(model: str, n: int) -> dict:
    """One call -> n subscribers through one bot: the engine, then PTB on another bot."""
    async with Bench(limits=model) as b:
        tenant, bot, chats = await b.tenant("B", n)
        w = await b.worker("bc")
        t0 = time.time()
        await Intake(b.store).submit(tenant, CallEvent(call_id="b1", caller="+74951234567"))
        peak = 0.0
        await b.wait_count(bot["id"], n, n / 30 * 4 + 60)
        peak = max(peak, rss_mib(w.p.pid))
        stats = await b.tg.stats(bot["id"])
        bound = n / 30
        took = stats["last_sent_at"] - t0
        engine = {
            "ratio": round(took / bound, 3),
            "makespan_s": round(took, 2),
            "emulator_429": stats["too_many_requests"],
            "worker_rss_mib": round(peak, 1),
        }
        ptb_bot = await b.tg.create_bot("bench_ptb_bot")
        await start_users(b, ptb_bot["id"], chats)
        took, failed = await ptb_blast(b, ptb_bot["token"], chats)
        stats = await b.tg.stats(ptb_bot["id"])
        ptb = {
            "ratio": round(took / bound, 3),
            "makespan_s": round(took, 2),
            "emulator_429": stats["too_many_requests"],
            "lost": failed,
        }
        return {"model": model, "messages": n, "bound_s": bound, "engine": engine, "ptb": ptb}


async def broadcast(quick: bool, models: list[str], sizes: list[int] | None = None) -> list[dict]:
    """3. one call to N subscribers through one bot (N = 300, 3000), each limit model."""
    sizes = sizes or ([300] if quick else [300, 3000])
    return [await one_broadcast(m, n) for n in sizes for m in models]


async def one_crowd_of_tenants(model: str, n: int) -> dict:
    async with Bench(limits=model) as b:
        tenants = [await b.tenant(f"T{i}", n, custom=True) for i in range(20)]
        workers = [await b.worker("m1"), await b.worker("m2")]
        pids = {
            "workers": [w.p.pid for w in workers],
            "emulator": [b.emu.p.pid],
            "redis": [b.redis_server.pid],
        }
        cpu0 = {k: sum(map(cpu_seconds, v)) for k, v in pids.items()}
        t0 = time.time()
        for tenant, _, _ in tenants:
            await Intake(b.store).submit(tenant, CallEvent(call_id="m", caller="+74951234567"))
        for _, bot, _ in tenants:
            await b.wait_count(bot["id"], n, n / 30 * 4 + 60)
        wall = time.time() - t0
        cpu = {k: sum(map(cpu_seconds, v)) - cpu0[k] for k, v in pids.items()}
        ratios, total_429 = [], 0
        for _, bot, _ in tenants:
            stats = await b.tg.stats(bot["id"])
            ratios.append(round((stats["last_sent_at"] - t0) / (n / 30), 3))
            total_429 += stats["too_many_requests"]
        engine = {
            "ratio_median": statistics.median(ratios),
            "ratio_max": max(ratios),
            "emulator_429": total_429,
            "cpu_us_per_message": {k: round(v / (20 * n) * 1e6) for k, v in cpu.items()},
            "cpu_percent_of_one_core": {k: round(v / wall * 100, 1) for k, v in cpu.items()},
        }
        # PTB: 20 bots, each with its own AIORateLimiter, all at once, to fresh bots.
        ptb_bots = [await b.tg.create_bot(f"bench_ptb{i}_bot") for i in range(20)]
        for pb, (_, _, chats) in zip(ptb_bots, tenants, strict=True):
            await start_users(b, pb["id"], chats)
        runs = await asyncio.gather(
            *(ptb_blast(b, pb["token"], t[2]) for pb, t in zip(ptb_bots, tenants, strict=True))
        )
        ptb_429 = sum([(await b.tg.stats(pb["id"]))["too_many_requests"] for pb in ptb_bots])
        ptb_ratios = [round(took / (n / 30), 3) for took, _ in runs]
        ptb = {
            "ratio_median": statistics.median(ptb_ratios),
            "ratio_max": max(ptb_ratios),
            "emulator_429": ptb_429,
            "lost": sum(failed for _, failed in runs),
        }
        return {
            "model": model,
            "tenants": 20,
            "messages_each": n,
            "bound_s": n / 30,
            "workers": 2,
            "engine": engine,
            "ptb": ptb,
        }


async def many_tenants(quick: bool, models: list[str]) -> list[dict]:
    """3b. 20 tenants x 300 (quick: 60), each through its own bot, at once; each model."""
    return [await one_crowd_of_tenants(m, 60 if quick else 300) for m in models]


async def paid_broadcast(quick: bool, models: list[str]) -> dict:
    """3c. 10,000 subscribers (quick: 2,000) of a bot with paid broadcasts at 1000/s, 2 workers:
    the rate reached, and CPU per message of each process (2 cores = 200 %)."""
    n = 2000 if quick else 10_000
    rate = 1000.0
    async with Bench(limits="strict") as b:
        tenant, bot, _ = await b.tenant("P", n, custom=True)
        await b.tg.set_bot_limits(bot["id"], paid_per_second=rate)
        try:
            from delivery.pacing import BotPace, Pace  # the engine's per-bot rate

            await BotPace(b.store.redis).set(bot["id"], Pace(rate, paid=True))
            loose = False
        except ImportError:  # an engine without per-bot rates: unpaced, the emulator judges
            loose = True
        workers = [await b.worker("p1", loose=loose), await b.worker("p2", loose=loose)]
        pids = {
            "workers": [w.p.pid for w in workers],
            "emulator": [b.emu.p.pid],
            "redis": [b.redis_server.pid],
        }
        cpu0 = {k: sum(map(cpu_seconds, v)) for k, v in pids.items()}
        t0 = time.time()
        await Intake(b.store).submit(tenant, CallEvent(call_id="p", caller="+74951234567"))
        await b.wait_count(bot["id"], n, n / 30 + 60)
        wall = time.time() - t0
        cpu = {k: sum(map(cpu_seconds, v)) - cpu0[k] for k, v in pids.items()}
        stats = await b.tg.stats(bot["id"])
        took = stats["last_sent_at"] - t0
        total_cpu = sum(cpu.values())
        return {
            "messages": n,
            "paid_rate": rate,
            "engine_paced_per_bot": not loose,
            "makespan_s": round(took, 2),
            "bound_s": n / rate,
            "ratio": round(took / (n / rate), 3),
            "messages_per_s": round(n / took, 1),
            "emulator_429": stats["too_many_requests"],
            **await b.arrivals(bot["id"]),
            "paid_flag_sent": stats["paid_broadcasts"],
            "cpu_us_per_message": {k: round(v / n * 1e6) for k, v in cpu.items()},
            "cpu_percent_of_one_core": {k: round(v / wall * 100, 1) for k, v in cpu.items()},
            # What 2 cores would sustain if the whole chain (workers + Redis + a Bot API that
            # costs what the emulator does) were the only work: 2 s of CPU per second.
            "two_cores_sustain_per_s": round(2.0 / (total_cpu / n)),
            "two_cores_sustain_sender_only_per_s": round(
                2.0 / ((cpu["workers"] + cpu["redis"]) / n)
            ),
        }


def per_second(times: list[float], t0: float) -> list[int]:
    """Sends in each whole second from t0."""
    bins = [0] * (int(max(times) - t0) + 1 if times else 0)
    for t in times:
        if t >= t0:
            bins[int(t - t0)] += 1
    return bins


def recovery(times: list[float], hit: float, full: float, span: int = 3) -> dict:
    """After a 429 at `hit`: the first second's sends, and the seconds until `span` seconds in
    a row each carry at least 95 % of `full` (None: not within the run)."""
    bins = per_second(times, hit)
    back = next(
        (i for i in range(len(bins) - span) if all(b >= 0.95 * full for b in bins[i : i + span])),
        None,
    )
    return {"after_429_per_s": bins[:40], "back_to_95_percent_after_s": back}


async def backoff(quick: bool, models: list[str]) -> dict:
    """6. The adaptive back-off (issue 16): Telegram stricter than our limiter expects.
    a) one 429 injected into a bot's broadcast at full rate: the pause, the cut, the recovery;
    b) a bot the emulator holds to 20/s while the engine paces it at 30/s: the rate it settles
    at and the 429s it meets."""
    n, n_strict = (900, 300) if quick else (1500, 600)
    async with Bench(limits="strict") as b:
        one, one_bot, _ = await b.tenant("K", n, custom=True)
        strict, strict_bot, _ = await b.tenant("S", n_strict, custom=True)
        await b.tg.set_bot_limits(strict_bot["id"], per_second=20.0)
        await b.worker("k")
        intake = Intake(b.store)
        t0 = time.time()
        await intake.submit(one, CallEvent(call_id="k", caller="+74951234567"))
        await asyncio.sleep(10.0)  # at full rate by then
        await b.tg.inject_fault("flood", bot_id=one_bot["id"], count=1, retry_after=1)
        hit = time.time()
        await intake.submit(strict, CallEvent(call_id="s", caller="+74951234567"))
        await b.wait_count(one_bot["id"], n, n / 10 + 60)
        await b.wait_count(strict_bot["id"], n_strict, n_strict / 5 + 120)
        log = await b.tg.api_log(one_bot["id"], "sendMessage")
        sent = [e["time"] for e in log if e["status"] == 200]
        first_429 = min(e["time"] for e in log if e["status"] == 429)
        before = [t for t in sent if hit - 5.0 <= t < hit]
        injected = {
            "messages": n,
            "rate_before_per_s": round(len(before) / 5.0, 1),
            "emulator_429": sum(e["status"] == 429 for e in log),
            "first_send_after_429_s": round(min(t for t in sent if t > first_429) - first_429, 3),
            **recovery(sent, first_429, len(before) / 5.0),
            "makespan_s": round(max(sent) - t0, 2),
        }
        log = await b.tg.api_log(strict_bot["id"], "sendMessage")
        sent = sorted(e["time"] for e in log if e["status"] == 200)
        refused = sorted(e["time"] for e in log if e["status"] == 429)
        took = sent[-1] - sent[0]
        stricter = {
            "messages": n_strict,
            "emulator_limit_per_s": 20,
            "engine_paces_at_per_s": 30 * 0.99,
            "messages_per_s": round((n_strict - 1) / took, 1),
            "emulator_429": len(refused),
            "seconds_between_429s": [round(b - a, 1) for a, b in itertools.pairwise(refused)],
            "max_sends_in_any_second": most_in_any_window(sent, 1.0),
            "per_second": per_second(sent, sent[0]),
        }
        return {"one_injected_429": injected, "emulator_at_20_per_s": stricter}


async def fairness(quick: bool, models: list[str]) -> dict:
    """4. tenant A bursts 5000 on the default bot; tenant B's one message arrives within 2 s."""
    calls = 10 if quick else 50
    async with Bench(limits=True) as b:
        a, _, _ = await b.tenant("A", 100)
        tb, _, [b_chat] = await b.tenant("Bt", 1)
        await b.worker("f")
        intake = Intake(b.store)
        for i in range(calls):
            await intake.submit(a, CallEvent(call_id=f"a{i}", caller="+74950000001"))
        await b.wait_count(b.default["id"], 60, 30)  # A's burst is well under way
        t0 = time.time()
        await intake.submit(tb, CallEvent(call_id="b", caller="+74950000002"))
        await b.tg.wait_for_messages(b_chat, 1, timeout=30)
        arrived = max(
            e["time"]
            for e in await b.sends(b.default["id"])
            if e["params"]["chat_id"] in (b_chat, str(b_chat))
        )
        stats = await b.tg.stats(b.default["id"])
        return {
            "burst_messages": calls * 100,
            "b_latency_s": round(arrived - t0, 3),
            "emulator_429": stats["too_many_requests"],
            "a_sent_before_b": stats["messages_sent"],
        }


async def memory(quick: bool, models: list[str]) -> dict:
    """5. worker RSS idle with 100 custom bots (each has sent), then under load."""
    async with Bench(limits=False) as b:
        tenants = [await b.tenant(f"M{i}", 1, custom=True) for i in range(100)]
        w = await b.worker("mem", loose=True)
        fresh = rss_mib(w.p.pid)
        for tenant, _, _ in tenants:
            await Intake(b.store).submit(tenant, CallEvent(call_id="x", caller="+74951234567"))
        for _, bot, _ in tenants:
            await b.wait_count(bot["id"], 1, 30)
        await asyncio.sleep(1)
        idle = rss_mib(w.p.pid)
        big, _, _ = await b.tenant("Big", 2000)
        peak = 0.0
        await Intake(b.store).submit(big, CallEvent(call_id="y", caller="+74951234567"))
        while (await b.tg.stats(b.default["id"]))["messages_sent"] < 2000:
            peak = max(peak, rss_mib(w.p.pid))
            await asyncio.sleep(0.1)
        return {
            "rss_started_mib": round(fresh, 1),
            "rss_idle_100_bots_mib": round(idle, 1),
            "rss_peak_2000_burst_mib": round(peak, 1),
        }


SCENARIOS = {
    "latency": latency,
    "broadcast": broadcast,
    "tenants": many_tenants,
    "fairness": fairness,
    "memory": memory,
    "paid": paid_broadcast,
    "backoff": backoff,
}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small numbers (about a minute)")
    parser.add_argument("--only", choices=sorted(SCENARIOS), action="append")
    parser.add_argument("--models", default=",".join(MODELS), help="emulator limit models")
    parser.add_argument("--sizes", help="broadcast sizes, e.g. 3000 (default: 300,3000)")
    parser.add_argument("--senders", type=int, help="sends in flight per worker")
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m]
    if args.senders:
        SENDERS[:] = ["--senders", str(args.senders)]
    if args.sizes:  # one size per run keeps each run short
        sizes = [int(n) for n in args.sizes.split(",")]
        SCENARIOS["broadcast"] = lambda quick, models: broadcast(quick, models, sizes)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }
    print(json.dumps({"machine": machine, "quick": args.quick}), flush=True)
    for name in args.only or SCENARIOS:
        result = await SCENARIOS[name](args.quick, models)
        print(json.dumps({name: result}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
