"""Profile the ingest process while it takes one kind of post (cProfile, whole process).

    .venv/bin/python bench/connector_profile.py [--vendor json|bitrix24|NAME]
        [--seconds 5] [--workers 32] [--top 25] [--sort tottime]

Starts an embedded Redis (appendfsync always) and the ingest server of bench/ingest_bench.py
under `python -m cProfile`, drives it with the load generator of bench/connector_bench.py
(or ingest_bench's, for `json`), stops it and prints the top entries. Timings are inflated by
the profiler; compare kinds with each other, not with the benchmark's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import connector_bench as cb  # noqa: E402
import ingest_bench as ib  # noqa: E402


async def drive(redis_url: str, kind: str, seconds: float, workers: int, out: Path) -> int:
    tid, key = await ib._tenant(redis_url)
    cid = await cb._connector(redis_url, tid, kind) if kind != "json" else ""
    port = ib._free_port()
    proc = _profiled_server(port, redis_url, out)
    try:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("ingest server did not start")
        url = f"http://127.0.0.1:{port}/v1/events"
        if kind == "json":
            _, n = await ib.closed_loop(url, key, seconds, workers, 1, "p")
        else:
            hook = url.replace("/v1/events", f"/v1/hooks/{kind}/{cid}")
            _, n = await cb.vendor_loop(kind, hook, seconds, workers, "p")
    finally:
        proc.stdin.close()
        proc.wait(60)
    return n


def _profiled_server(port: int, redis_url: str, out: Path) -> subprocess.Popen:
    """bench/ingest_bench.py's ingest server, under cProfile writing to `out` when it stops."""
    return subprocess.Popen(
        [sys.executable, "-m", "cProfile", "-o", str(out), str(HERE / "ingest_bench.py"),
         "--serve", "ingest", "--port", str(port), "--redis-url", redis_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=["json", *sorted(cb.BODIES)], default="rostelecom")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--keep", help="also write the raw profile here (for pstats)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pz-prof-") as tmp:
        out = Path(tmp) / "ingest.prof"
        with ib.EmbeddedRedis(Path(tmp), appendfsync="always") as redis:
            n = asyncio.run(drive(redis.url, args.vendor, args.seconds, args.workers, out))
        print(f"{args.vendor}: {n} requests answered in {args.seconds}s under the profiler")
        if args.keep:
            Path(args.keep).write_bytes(out.read_bytes())
        stats = pstats.Stats(str(out))
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
