"""One delivery worker as its own process, for the durability tests and the benchmark.

`python -m delivery.standalone --redis URL --api URL --consumer NAME [--loose]`; the default
bot's token and the secret key come from the environment (PZ_BOT_TOKEN, PZ_SECRET_KEY) so they
never show in `ps`. SIGTERM stops it gracefully; the service proper is wired by perezvon.cli.
With PZ_PROFILE=FILE the worker runs under cProfile and writes its stats there when it stops
(bench/worker_bench.py --profile).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal

from delivery.engine import DeliveryEngine
from delivery.policy import Breaker, Limits, Options, Retry
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store, connect
from store.crypto import SecretBox


async def serve(args: argparse.Namespace, token: str, secret: str) -> None:
    redis = connect(args.redis)
    store = Store(redis, SecretBox(secret))
    metrics = Metrics(redis)
    engine = DeliveryEngine(
        store,
        metrics,
        Catalogue(),
        api_base=args.api,
        default_token=token,
        consumer=args.consumer,
        limits=Limits.loose() if args.loose else Limits(bot_per_second=args.bot_rate),
        retry=Retry(base=0.2, cap=2.0),
        breaker=Breaker(base=0.2, cap=args.breaker_cap, probe=15.0),
        options=Options(senders=args.senders, lease_seconds=args.lease, intake_block_ms=200),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    metrics.start()
    await engine.start()
    print("ready", flush=True)
    await stop.wait()
    await engine.stop()
    print(json.dumps({"counts": engine.counts}), flush=True)
    await metrics.stop()
    with contextlib.suppress(Exception):
        await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--consumer", required=True)
    parser.add_argument("--senders", type=int, default=Options().senders)
    parser.add_argument("--lease", type=float, default=15.0)
    parser.add_argument("--loose", action="store_true", help="no sending limits")
    parser.add_argument(
        "--bot-rate", type=float, default=30.0, help="messages/s of bots without their own pace"
    )
    parser.add_argument(
        "--breaker-cap", type=float, default=2.0, help="longest pause of a token after failures"
    )
    args = parser.parse_args()
    run = serve(args, os.environ["PZ_BOT_TOKEN"], os.environ["PZ_SECRET_KEY"])
    profile = os.environ.get("PZ_PROFILE")
    if not profile:
        asyncio.run(run)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        asyncio.run(run)
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


if __name__ == "__main__":
    main()
