"""Fan-out profile: CPU of `FanOut.handle` per call and per recipient, and the longest single
Redis command of a call (its SLOWLOG), for one tenant with 1 / 500 / 10,000 / 100,000
subscribers. docs/delivery.md ("Fan-out profile") quotes it.

    .venv/bin/python bench/fanout_profile.py [--sizes 1,500,10000,100000] [--profile 100000]

A plain redis-server on loopback (no AOF). Each measured call is a missed call accepted by
`Intake.submit`, read from the tenant's intake stream in the consumer group as the worker reads
it, and handed to the worker's own `FanOut.handle` (card, followers, hours, routes, the queue's
scripts, the entry's ack); the CPU is this process's (`time.process_time`), so Redis's own time
shows only in the slowlog. `--profile SIZE` runs one more call of that size under cProfile and
prints its top entries.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cluster_bench import TOKEN, OneRedis  # noqa: E402

from delivery import keys  # noqa: E402
from delivery.engine import DeliveryEngine  # noqa: E402
from delivery.intake import Intake  # noqa: E402
from delivery.policy import Options  # noqa: E402
from perezvon.metrics import Metrics  # noqa: E402
from perezvon.texts import Catalogue  # noqa: E402
from store import Store, connect  # noqa: E402
from store import keys as store_keys  # noqa: E402
from store.crypto import SecretBox  # noqa: E402
from store.events import CallEvent  # noqa: E402

SECRET = "bench-secret-key-not-for-production"
# Calls measured per size: more for the cheap ones (their noise is larger).
CALLS = {1: 30, 500: 10, 10_000: 3, 100_000: 2}
# Calls of `--profile SIZE` (one is noise for a small size).
PROFILED = {1: 200, 500: 20}


async def _subscribers(store: Store, tid: str, n: int) -> None:
    """`n` active subscriptions, written as `Subscriptions.activate` writes them (its round
    trips would take minutes at 100,000), then one through `activate` itself."""
    r = store.redis
    now = repr(time.time())
    base = 7_000_000_000
    for start in range(0, n - 1, 5_000):
        async with r.pipeline(transaction=False) as pipe:
            for chat in range(base + start, base + min(n - 1, start + 5_000)):
                pipe.sadd(store_keys.chat_tenants(chat), tid)
                fields = {
                    "username": "",
                    "name": f"S{chat}",
                    "status": "active",
                    "chat_id": str(chat),
                    "created_at": now,
                    "status_changed_at": now,
                }
                pipe.hset(store_keys.sub(tid, chat), mapping=fields)
                pipe.zadd(store_keys.subs(tid), {str(chat): float(now)})
            await pipe.execute()
    await store.subs.activate(tid, base - 1, "Last")
    assert await store.subs.count(tid) == n


def _engine(store: Store) -> DeliveryEngine:
    return DeliveryEngine(
        store,
        Metrics(store.redis),
        Catalogue(),
        api_base="http://127.0.0.1:9",
        default_token=TOKEN,
        consumer="prof",
        options=Options(),
    )


class RoundTrips:
    """Counts this process's Redis round trips (a command, a pipeline, a script call) while
    `on`: redis-py's client and pipeline classes are wrapped once."""

    on = False
    count = 0

    @classmethod
    def install(cls) -> None:
        from redis.asyncio.client import Pipeline, Redis

        single, batch = Redis.execute_command, Pipeline.execute

        async def execute_command(self, *args, **options):
            if cls.on and not isinstance(self, Pipeline):
                cls.count += 1
            return await single(self, *args, **options)

        async def execute(self, *args, **options):
            if cls.on and len(self):
                cls.count += 1
            return await batch(self, *args, **options)

        now = Pipeline.immediate_execute_command

        async def immediate(self, *args, **options):  # WATCH, and reads before MULTI
            if cls.on:
                cls.count += 1
            return await now(self, *args, **options)

        Redis.execute_command = execute_command  # type: ignore[method-assign]
        Pipeline.immediate_execute_command = immediate  # type: ignore[method-assign]
        Pipeline.execute = execute  # type: ignore[method-assign]


async def _slowlog_reset(r) -> None:
    await r.execute_command("SLOWLOG", "RESET")


async def _slowlog(r, scripts: dict[str, str]) -> dict[str, float]:
    """The longest run of each command since the reset, in ms (a script by its name); the
    bench's own SLOWLOG and INFO left out."""
    longest: dict[str, float] = {}
    for e in await r.execute_command("SLOWLOG", "GET", "-1"):
        # [id, time, duration µs, [command, args...], ...]
        words = [a.decode() if isinstance(a, bytes) else str(a) for a in e[3][:2]]
        name = words[0].upper()
        if name in ("SLOWLOG", "INFO"):
            continue
        if len(words) > 1 and words[1] in scripts:
            name += " " + scripts[words[1]]
        longest[name] = max(longest.get(name, 0.0), int(e[2]) / 1000.0)
    return longest


async def _one_call(
    store: Store, engine: DeliveryEngine, tid: str, n: int, i: int
) -> tuple[str, dict]:
    tenant = await store.tenants.get(tid)
    # a different caller each time: every call opens a card of its own
    event = CallEvent(call_id=f"p{n}-{i}", caller=f"+7495{1000000 + i}")
    receipt = await Intake(store).submit(tenant, event)
    assert receipt.outcome == "accepted", receipt
    stream = keys.intake(tid)
    assert await engine.fanout.ensure_stream(tid)
    [[_, [(entry_id, fields)]]] = await store.redis.xreadgroup(
        keys.GROUP, "prof", {stream: ">"}, count=1
    )
    return entry_id, fields


async def _size(url: str, n: int, calls: int, profile: bool) -> dict:
    store = Store(connect(url), SecretBox(SECRET))
    r = store.redis
    try:
        await r.flushall()
        await store.migrate()
        # 0.1 ms: every script of note, not each command a script runs (those are logged too)
        await r.config_set("slowlog-log-slower-than", 100)
        await r.config_set("slowlog-max-len", 100_000)
        tenant, _ = await store.tenants.create(f"T{n}", "UTC", "ru")
        await _subscribers(store, tenant.id, n)
        engine = _engine(store)
        stream = keys.intake(tenant.id)
        scripts = {s.sha: name for name, s in engine.queue._scripts.items()}
        scripts[store.subs._followers.sha] = "followers"
        cpu, wall, grown, longest, trips = [], [], [], {}, []
        prof = cProfile.Profile() if profile else None
        for i in range(calls):
            entry_id, fields = await _one_call(store, engine, tenant.id, n, i)
            await _slowlog_reset(r)
            m0 = int((await r.info("memory"))["used_memory"])
            c0, w0 = time.process_time(), time.perf_counter()
            if prof:
                prof.enable()
            RoundTrips.on, RoundTrips.count = True, 0
            queued = await engine.fanout.handle(stream, entry_id, fields)
            RoundTrips.on = False
            if prof:
                prof.disable()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            trips.append(RoundTrips.count)
            assert queued == n, (queued, n)
            for name, ms in (await _slowlog(r, scripts)).items():
                longest[name] = max(longest.get(name, 0.0), ms)
            await _slowlog_reset(r)  # its entries are not the call's memory
            grown.append(int((await r.info("memory"))["used_memory"]) - m0)
            await _drop_jobs(r)
        await r.config_set("slowlog-log-slower-than", 10_000)
        out = {
            "subscribers": n,
            "calls": calls,
            "cpu_ms_per_call": round(statistics.median(cpu), 3),
            "cpu_ms_per_recipient": round(statistics.median(cpu) / n, 4),
            "wall_ms_per_call": round(statistics.median(wall), 2),
            "round_trips_per_call": statistics.median(trips),
            "slowlog_max_ms": round(max(longest.values()), 2),
            "slowlog_max_cmd": max(longest, key=longest.__getitem__),
            "longest_ms": {
                k: round(v, 2) for k, v in sorted(longest.items(), key=lambda kv: -kv[1])[:4]
            },
            # what one call adds to Redis (its jobs, lanes and marks)
            "redis_mib_per_call": round(statistics.median(grown) / 2**20, 2),
        }
        if prof:
            text = io.StringIO()
            stats = pstats.Stats(prof, stream=text)
            stats.sort_stats("tottime").print_stats(15)
            stats.sort_stats("cumulative").print_stats(25)
            out["profile"] = text.getvalue()
        return out
    finally:
        await r.aclose()


async def _drop_jobs(r) -> None:
    """Empty the queue between calls (a kept 100,000-job call costs Redis tens of MiB)."""
    for pattern in (f"{keys.P}:job:*", f"{keys.P}:q:*", f"{keys.P}:data:*"):
        batch = []
        async for key in r.scan_iter(match=pattern, count=10_000):
            batch.append(key)
            if len(batch) >= 10_000:
                await r.unlink(*batch)
                batch = []
        if batch:
            await r.unlink(*batch)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,500,10000,100000")
    ap.add_argument("--profile", type=int, default=0, help="profile one call of this size")
    args = ap.parse_args()
    RoundTrips.install()
    redis = OneRedis().start()
    try:
        print(f"# {platform.machine()}, Python {platform.python_version()}")
        for n in (int(s) for s in args.sizes.split(",")):
            res = asyncio.run(_size(redis.url, n, CALLS.get(n, 3), False))
            print({k: v for k, v in res.items()})
            sys.stdout.flush()
        if args.profile:
            res = asyncio.run(_size(redis.url, args.profile, PROFILED.get(args.profile, 1), True))
            print(res.pop("profile"))
            print(res)
    finally:
        redis.stop()


if __name__ == "__main__":
    main()
