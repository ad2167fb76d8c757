"""End-to-end latency through the HTTP ingest (docs/delivery.md, "End to end through the HTTP
ingest"): a PBX POSTs missed calls to `perezvon run --role ingest`, delivery workers
(delivery.standalone) send them through 100 tenants' own bots, the emulator receives them.

    .venv/bin/python bench/latency_bench.py [--quick] [--rate 100] [--rate 1000] [--ramp]
        [--workers 1] [--seconds 10] [--groups 20] [--trace] [--profile FILE]

`--trace` splits each call's latency into its stages (bench/traced_worker.py); `--profile`
runs the first worker under cProfile. Every run reports each process's CPU and run-queue wait
(time runnable without a CPU: contention, which CPU time alone does not show).

Latency is per event: the emulator's arrival time of its sendMessage minus the moment the
driver read the ingest's 202 (acceptance); both are wall clocks of this machine.
The load is open-loop: event i is POSTed at t0 + i / rate whether or not earlier POSTs have
been answered, so a slow ingest shows as latency, not as a lower offered rate.

Telegram's limits are not the bottleneck by construction: each tenant has its own custom bot
(100 bots, 1,000 events/s = 10 messages/s per bot, under 30/s) and `--groups` groups, each
followed by exactly one subscriber; event i of a tenant names group (i // tenants) % groups,
so at 1,000 events/s each chat gets 10 / 20 = 0.5 messages/s (under 1/s). The emulator runs
its strict model (sliding windows) and the workers their own pacing; the 429 count proves it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from delivery_bench import SECRET, SENDERS, Bench, Proc, cpu_seconds, free_port, pct  # noqa: E402

from delivery.intake import Intake  # noqa: E402
from store.events import CallEvent  # noqa: E402

CALLER = re.compile(r"\+7495\d{7}")
TENANTS = 100


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def waited_seconds(pid: int) -> float:
    """Seconds the process was runnable but waited for a CPU (Linux /proc schedstat): the
    direct measure of CPU contention, which the CPU time alone cannot show."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


@dataclass
class Tenant:
    key: str
    bot_id: int
    chats: list[int]
    record: Any = None  # the store's tenant, for `--via intake`


@dataclass
class Run:
    """The events of one load: when each was accepted, and how many POSTs failed."""

    accepted: dict[str, float] = field(default_factory=dict)  # caller -> wall clock
    posted: dict[str, float] = field(default_factory=dict)  # caller -> when its POST began
    callers: dict[str, str] = field(default_factory=dict)  # call id -> caller
    calls: dict[str, tuple[str, str]] = field(default_factory=dict)  # caller -> tenant, call
    step: dict[str, int] = field(default_factory=dict)  # caller -> ramp step
    refused: int = 0
    # Why: the HTTP status ("503") or the client's exception class.
    refused_by: Counter[str] = field(default_factory=Counter)
    post_ms: list[float] = field(default_factory=list)


async def prepare(b: Bench, groups: int) -> list[Tenant]:
    """100 tenants, each with an active custom bot and `groups` groups of one follower each."""
    out = []
    for t in range(TENANTS):
        tenant, key = await b.store.tenants.create(f"E{t}", "Europe/Moscow", "ru")
        bot = await b.tg.create_bot(f"bench_e{t}_bot")
        added = await b.store.bots.add(tenant.id, f"E{t}", bot["token"], bot["username"], bot["id"])
        await b.store.bots.activate(tenant.id, added.id)
        users = await asyncio.gather(*(b.tg.create_user(f"E{t}u{g}") for g in range(groups)))
        await asyncio.gather(*(b.tg.send_command(bot["id"], u["id"], "start") for u in users))
        for g, u in enumerate(users):
            await b.store.groups.ensure(tenant.id, f"g{g}", f"Line {g}", notify=True)
            await b.store.started.mark(bot["id"], u["id"])
            await b.store.subs.activate(tenant.id, u["id"], u["first_name"])
            await b.store.subs.set_groups(tenant.id, u["id"], frozenset({f"g{g}"}))
        out.append(Tenant(key, bot["id"], [u["id"] for u in users], tenant))
    return out


async def start_ingest(b: Bench) -> tuple[asyncio.subprocess.Process, str]:
    """`perezvon run --role ingest` on the bench's Redis, as an operator starts it."""
    port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": b.redis_url,
        "SECRET_KEY": SECRET,
        "INGEST_PORT": str(port),
        "DATA_DIR": b.tmp,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("BOT_TOKEN", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "perezvon", "run", "--role", "ingest",
        cwd=b.tmp, env=env, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as s:
        for _ in range(200):
            try:
                async with s.get(f"{url}/healthz") as r:
                    if r.status == 200:
                        return proc, url
            except aiohttp.ClientError:
                pass
            if proc.returncode is not None:
                raise RuntimeError("perezvon run --role ingest exited")
            await asyncio.sleep(0.1)
    raise RuntimeError("the ingest did not come up")


DRIVER_CONNECTIONS = 200


async def post_one(
    s: aiohttp.ClientSession | Intake, url: str, t: Tenant, body: dict, run: Run, step: int
) -> None:
    sent = time.time()
    if isinstance(s, Intake):  # `--via intake`: the store's intake in this process
        await s.submit(t.record, CallEvent(**body))
        ok = True
    else:
        try:
            async with s.post(
                f"{url}/v1/events", json=body, headers={"Authorization": f"Bearer {t.key}"}
            ) as r:
                await r.read()
                ok = r.status == 202
                why = str(r.status)
        except aiohttp.ClientError as exc:
            ok, why = False, type(exc).__name__
    now = time.time()
    if ok:
        run.accepted[body["caller"]] = now
        run.posted[body["caller"]] = sent
        run.callers[body["call_id"]] = body["caller"]
        run.calls[body["caller"]] = (t.record.id, body["call_id"])
        run.step[body["caller"]] = step
        run.post_ms.append((now - sent) * 1000)
    else:
        run.refused += 1
        run.refused_by[why] += 1


async def offer(
    url: str,
    tenants: list[Tenant],
    groups: int,
    rates: list[tuple[float, float]],
    run: Run,
    prefix: str = "e",
    intake: Intake | None = None,
) -> list[float]:
    """Open loop: POST at each (rate, seconds) in turn; returns each step's achieved rate."""
    # One address, like one PBX: the ingest refuses its connections beyond
    # INGEST_MAX_CONNECTIONS_PER_IP (256); a driver opening more (its limit was 512) measured
    # those refusals (resets at accept) instead of the latency. Beyond this, POSTs wait here.
    conn = aiohttp.TCPConnector(limit=DRIVER_CONNECTIONS)
    tasks: set[asyncio.Task] = set()
    achieved = []
    n = 0
    async with aiohttp.ClientSession(connector=conn) as s:
        for step, (rate, seconds) in enumerate(rates):
            start = time.monotonic()
            count = int(rate * seconds)
            for i in range(count):
                await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
                t = tenants[n % TENANTS]
                body = {
                    "call_id": f"{prefix}{n}",
                    "caller": f"+7{'496' if prefix == 'w' else '495'}{n:07d}",
                    "group": f"g{(n // TENANTS) % groups}",
                }
                task = asyncio.create_task(post_one(intake or s, url, t, body, run, step))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                n += 1
            achieved.append(count / (time.monotonic() - start))
        await asyncio.gather(*tasks)
    return achieved


async def wait_delivered(b: Bench, tenants: list[Tenant], n: int, within: float) -> int:
    deadline = time.monotonic() + within
    while True:
        got = await asyncio.gather(*(b.tg.stats(t.bot_id) for t in tenants))
        sent = sum(s["messages_sent"] for s in got)
        if sent >= n or time.monotonic() > deadline:
            return sent
        await asyncio.sleep(0.2)


async def arrivals(b: Bench, tenants: list[Tenant]) -> tuple[dict[str, float], int]:
    """Caller -> the emulator's arrival time of its sendMessage; and the 429s seen."""
    out: dict[str, float] = {}
    too_many = 0
    for t in tenants:
        for e in await b.tg.api_log(t.bot_id, "sendMessage"):
            if e["status"] == 200:
                m = CALLER.search(e["params"]["text"])
                if m:
                    out.setdefault(m.group(0), e["time"])
            elif e["status"] == 429:
                too_many += 1
    return out, too_many


def redis_calls(stats: dict[str, Any], events: int) -> dict[str, float]:
    """INFO commandstats per event: the total and the 16 most frequent commands."""
    calls = {k.removeprefix("cmdstat_"): v["calls"] for k, v in stats.items()}
    calls.pop("info", None)
    calls.pop("config|resetstat", None)
    top = sorted(calls.items(), key=lambda kv: -kv[1])[:16]
    return {"total": round(sum(calls.values()) / events, 1)} | {
        k: round(v / events, 2) for k, v in top
    }


def summary(lat: list[float]) -> dict[str, float]:
    if not lat:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    return {
        "p50_ms": round(pct(lat, 50), 1),
        "p99_ms": round(pct(lat, 99), 1),
        "max_ms": round(max(lat), 1),
    }


async def start_worker(
    b: Bench, name: str, loose: bool, trace: str | None, profile: str | None = None
) -> Proc:
    """As Bench.worker; with `trace` (a file prefix) through bench/traced_worker.py, with
    `profile` (a file) under cProfile (delivery/standalone.py's PZ_PROFILE)."""
    if not trace and not profile:
        return await b.worker(name, loose=loose)
    args = ["bench/traced_worker.py"] if trace else ["-m", "delivery.standalone"]
    args += ["--redis", b.redis_url, "--api", b.api]
    args += ["--consumer", name, *SENDERS, *(["--loose"] if loose else [])]
    env = {"PZ_BOT_TOKEN": b.default["token"], "PZ_SECRET_KEY": SECRET}
    if trace:
        env["PZ_TRACE"] = f"{trace}.{name}.jsonl"
    if profile:
        env["PZ_PROFILE"] = profile
    proc = await Proc(*args, env=env).start(b"ready")
    b.workers.append(proc)
    return proc


STAGES = [
    ("post", "recorded"),  # the driver's POST began -> the ingest's script recorded the call
    ("recorded", "entry"),  # -> Redis's clock at the intake append (same script)
    ("entry", "accepted"),  # -> the driver read the 202
    ("accepted", "read"),  # -> a worker's fan-out read the entry
    ("read", "fanned"),  # -> its jobs were queued
    ("fanned", "claimed"),  # -> a claim returned the job
    ("claimed", "send"),  # -> its send began (after the slot the claim reserved)
    ("send", "arrived"),  # -> the emulator logged the sendMessage
]


async def trace_stages(b: Bench, run: Run, got: dict[str, float], trace: str) -> dict[str, Any]:
    """Per stage of the path, the p50/p99 of its share of the latency (milliseconds)."""
    at: dict[str, dict[str, float]] = {c: {"post": t} for c, t in run.posted.items()}
    for c, t in run.accepted.items():
        at[c]["accepted"] = t
    for c, t in got.items():
        if c in at:
            at[c]["arrived"] = t
    lags: list[float] = []
    for w in Path(trace).parent.glob(f"{Path(trace).name}.*.jsonl"):
        lines = w.read_text().splitlines()
        w.unlink()  # the next run's workers write their own
        for line in lines:
            p = json.loads(line)
            if p["p"] == "lag":
                lags += p["lags"]
                continue
            caller = p.get("caller") or run.callers.get(p.get("call", ""))
            if caller not in at:
                continue
            at[caller].setdefault(p["p"], p["t"])
            if "entry_ms" in p:
                at[caller].setdefault("entry", p["entry_ms"] / 1000)
    for caller, marks in at.items():
        tid, call_id = run.calls[caller]
        rec = await b.store.calls.get(tid, call_id)
        if rec is not None:
            marks["recorded"] = rec.recorded_at
    stages = {}
    for a, z in STAGES:
        d = [(m[z] - m[a]) * 1000 for m in at.values() if a in m and z in m]
        stages[f"{a}->{z}"] = {"n": len(d), **summary(d)}
    return {
        "stages_ms": stages,
        "worker_loop_lag_ms": {"samples": len(lags), **summary([x * 1000 for x in lags])},
    }


async def one(
    rates: list[tuple[float, float]],
    workers: int,
    groups: int,
    loose: bool,
    via: str,
    trace: str | None = None,
    profile: str | None = None,
) -> dict[str, Any]:
    async with Bench(limits=False if loose else "strict") as b:
        t_setup = time.monotonic()
        tenants = await prepare(b, groups)
        ingest, url = await start_ingest(b)
        try:
            ws = [
                await start_worker(b, f"e{i}", loose, trace, profile if i == 0 else None)
                for i in range(workers)
            ]
            # Warm-up (not measured): one event per tenant, so each bot's route, session
            # and pacing state exist as in a service that has been running.
            warm = Run()
            await offer(url, tenants, groups, [(float(TENANTS), 1.0)], warm, prefix="w")
            await wait_delivered(b, tenants, TENANTS, 30)
            setup_s = time.monotonic() - t_setup
            pids = {
                "ingest": [ingest.pid],
                "workers": [w.p.pid for w in ws],
                "emulator": [b.emu.p.pid],
                "redis": [b.redis_server.pid],
                "driver": [os.getpid()],
            }
            cpu0 = {k: [cpu_seconds(p) for p in v] for k, v in pids.items()}
            wait0 = {k: [waited_seconds(p) for p in v] for k, v in pids.items()}
            load0 = loadavg()
            await b.store.redis.config_resetstat()
            t0 = time.monotonic()
            run = Run()
            intake = Intake(b.store) if via == "intake" else None
            achieved = await offer(url, tenants, groups, rates, run, intake=intake)
            offered_s = time.monotonic() - t0
            delivered = await wait_delivered(b, tenants, TENANTS + len(run.accepted), 30)
            wall = time.monotonic() - t0
            cpu = {
                k: [
                    round((cpu_seconds(p) - c) / wall * 100, 1)
                    for p, c in zip(v, cpu0[k], strict=True)
                ]
                for k, v in pids.items()
            }
            waited = {
                k: [
                    round((waited_seconds(p) - c) / wall * 100, 1)
                    for p, c in zip(v, wait0[k], strict=True)
                ]
                for k, v in pids.items()
            }
            load1 = loadavg()
            stats = await b.store.redis.info("commandstats")
        finally:
            ingest.send_signal(signal.SIGTERM)
            await asyncio.wait_for(ingest.wait(), 30)
        got, too_many = await arrivals(b, tenants)
        traced = {}
        if trace or profile:
            for w in list(b.workers):
                await w.stop()
                b.workers.remove(w)
            traced = await trace_stages(b, run, got, trace) if trace else {}
        steps = []
        for i, (rate, seconds) in enumerate(rates):
            lat = [
                (got[c] - at) * 1000
                for c, at in run.accepted.items()
                if run.step[c] == i and c in got
            ]
            steps.append(
                {
                    "rate": rate,
                    "seconds": seconds,
                    "achieved_rate": round(achieved[i], 1),
                    "delivered": len(lat),
                    **summary(lat),
                }
            )
        all_lat = [(got[c] - at) * 1000 for c, at in run.accepted.items() if c in got]
        return {
            "workers": workers,
            "tenants": TENANTS,
            "groups_per_tenant": groups,
            "via": via,
            "limits": "off (emulator and workers)" if loose else "strict emulator, paced workers",
            "setup_s": round(setup_s, 1),
            "offered_s": round(offered_s, 1),
            "drained_s": round(wall, 1),
            "accepted": len(run.accepted),
            "refused": run.refused,
            "refused_by": dict(run.refused_by),
            "delivered": len(all_lat),
            "lost": len(run.accepted) - len(all_lat),
            "messages_sent": delivered - TENANTS,
            "emulator_429": too_many,
            "post_ms": summary(run.post_ms),
            **summary(all_lat),
            "steps": steps,
            "cpu_percent_of_one_core": cpu,
            # Every client's commands (ingest, workers, driver) per accepted event, by name.
            "redis_calls_per_event": redis_calls(stats, max(1, len(run.accepted))),
            "runqueue_wait_percent": waited,
            **traced,
            "loadavg_before": load0,
            "loadavg_after": load1,
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 events/s for 3 s, 5 groups")
    parser.add_argument("--rate", type=float, action="append", help="steady events/s")
    parser.add_argument("--ramp", action="store_true", help="open-loop ramp, 200 events/s steps")
    parser.add_argument("--ramp-from", type=float, default=200.0)
    parser.add_argument("--ramp-step", type=float, default=200.0)
    parser.add_argument("--ramp-to", type=float, default=1600.0)
    parser.add_argument("--step-seconds", type=float, default=4.0)
    parser.add_argument("--workers", type=int, action="append", help="worker processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of a steady load")
    parser.add_argument("--groups", type=int, default=20, help="groups (chats) per tenant")
    parser.add_argument("--loose", action="store_true", help="limits off: emulator and workers")
    parser.add_argument(
        "--via", choices=["http", "intake"], default="http", help="POST, or Intake.submit"
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="workers through bench/traced_worker.py: each stage's share of the latency",
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="the first worker under cProfile, its stats to FILE"
    )
    args = parser.parse_args()
    if args.quick:
        args.rate, args.seconds, args.groups = [100.0], 3.0, 5
    trace = tempfile.mkdtemp(prefix="pz-trace-") + "/w" if args.trace else None
    print(json.dumps({"cpus": os.cpu_count(), "loadavg": loadavg()}), flush=True)
    for workers in args.workers or [1]:
        for rate in args.rate or []:
            steady = [(rate, args.seconds)]
            r = await one(steady, workers, args.groups, args.loose, args.via, trace, args.profile)
            print(json.dumps({"steady": rate, **r}), flush=True)
        if args.ramp:
            rates, rate = [], args.ramp_from
            while rate <= args.ramp_to:
                rates.append((rate, args.step_seconds))
                rate += args.ramp_step
            r = await one(rates, workers, args.groups, args.loose, args.via, trace, args.profile)
            # The highest step before the first whose p99 reached 1 s: a sustained rate.
            best = 0.0
            for s in r["steps"]:
                if s["p99_ms"] >= 1000 or not s["delivered"]:
                    break
                best = s["rate"]
            r["max_rate_p99_under_1s"] = best
            print(json.dumps({"ramp": True, **r}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
