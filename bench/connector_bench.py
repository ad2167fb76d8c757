"""Connector benchmark: signed Zadarma NOTIFY_END posts/s accepted durably vs our JSON ingest.

    .venv/bin/python bench/connector_bench.py [--seconds 5] [--redis-url redis://127.0.0.1:6379/14]

Same server process, Redis (embedded, appendfsync=always) and load generator as
bench/ingest_bench.py; each round measures both back to back and the median ratio is printed.
Every answered post must be an entry in the intake stream (checked at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ingest_bench as ib  # noqa: E402

from store import Store, connect  # noqa: E402
from store.crypto import SecretBox  # noqa: E402

ZD_SECRET = "bench-zadarma-secret"
PER_WORKER = 2000


def zadarma_body(tag: str, n: int) -> tuple[bytes, str]:
    """A signed missed-call NOTIFY_END, as Zadarma posts it (form body, Signature header)."""
    form = {
        "event": "NOTIFY_END", "call_start": "2026-01-31 09:15:00",
        "pbx_call_id": f"in_{tag}_{n}", "caller_id": f"7495{n:07d}",
        "called_did": "74957654321", "internal": "100", "duration": "0",
        "disposition": "no answer", "status_code": "19", "is_recorded": "0",
    }  # fmt: skip
    text = form["caller_id"] + form["called_did"] + form["call_start"]
    hexed = hmac.new(ZD_SECRET.encode(), text.encode(), hashlib.sha1).hexdigest()
    return urlencode(form).encode(), base64.b64encode(hexed.encode()).decode()


async def zadarma_loop(url: str, seconds: float, workers: int, tag: str) -> tuple[float, int]:
    done = 0
    # Signed ahead of time, so the load generator's CPU goes to sending (as ingest_bench's).
    ready = [[zadarma_body(f"{tag}w{w}", n) for n in range(PER_WORKER)] for w in range(workers)]
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers)) as session:

        async def worker(w: int) -> None:
            nonlocal done
            for body, sig in ready[w]:
                if time.perf_counter() >= deadline:
                    break
                headers = {"Signature": sig, "Content-Type": "application/x-www-form-urlencoded"}
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"status {resp.status}")
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(workers)))
        return done / (time.perf_counter() - start), done


async def _connector(redis_url: str, tid: str) -> str:
    redis = connect(redis_url)
    store = Store(redis, SecretBox(ib.SECRET))
    c = await store.connectors.add(tid, "zadarma", {"secret": ZD_SECRET}, secret_names=("secret",))
    await redis.aclose()
    return c.id


async def run(redis_url: str, seconds: float, workers: int, rounds: int, label: str) -> dict:
    tid, key = await ib._tenant(redis_url)
    cid = await _connector(redis_url, tid)
    server = ib.Server("ingest", redis_url)
    hook_url = server.url.replace("/v1/events", f"/v1/hooks/zadarma/{cid}")
    ours, vendor, sent = [], [], 0
    try:
        for r in range(rounds):
            # Alternate which side goes first, so neither always meets a warmer Redis.
            for side in ("json", "zadarma") if r % 2 == 0 else ("zadarma", "json"):
                if side == "json":
                    rate, n = await ib.closed_loop(server.url, key, seconds, workers, 1, f"j{r}")
                    ours.append(rate)
                else:
                    rate, n = await zadarma_loop(hook_url, seconds, workers, f"z{r}")
                    vendor.append(rate)
                sent += n
    finally:
        server.stop()
    return {
        "redis": label,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "client_workers": workers,
        "json_ingest_events_per_s": round(statistics.median(ours)),
        "zadarma_signed_posts_per_s": round(statistics.median(vendor)),
        "ratio": ib._ratio(vendor, ours),
        "answered": sent,
        "queued_in_redis": await ib._queued(redis_url),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis-url", help="use this Redis (its database is FLUSHED)")
    args = parser.parse_args()
    if args.redis_url:
        report = asyncio.run(run(args.redis_url, args.seconds, args.workers, args.rounds, "given"))
    else:
        with tempfile.TemporaryDirectory(prefix="pz-bench-") as tmp:
            with ib.EmbeddedRedis(Path(tmp), appendfsync="always") as redis:
                label = "embedded redis-server, appendonly yes, appendfsync always"
                report = asyncio.run(run(redis.url, args.seconds, args.workers, args.rounds, label))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
