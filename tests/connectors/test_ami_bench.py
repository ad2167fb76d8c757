"""The throughput benchmark keeps working (a tiny run; the real figure is in docs/asterisk.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ami_bench.py"


def test_bench_replays_every_capture_with_fresh_ids() -> None:
    spec = importlib.util.spec_from_file_location("ami_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    # run() itself fails unless every replayed call got exactly one verdict.
    result = bench.run(rounds=3, chunk=4096)
    assert result["events"] > 3 * 1000
    assert result["verdicts_missed"] > 0 and result["verdicts_answered"] > 0
