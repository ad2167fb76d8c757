"""Throughput of the AMI parser + missed-call detector on one core, over the real captures.

Every capture is replayed many times, each time with fresh Uniqueid/Linkedid values so the
detector tracks and decides new calls instead of ignoring replays.

    .venv/bin/python bench/ami_bench.py [--rounds 60] [--chunk 65536]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from connectors.asterisk.detector import MissedCallDetector  # noqa: E402
from connectors.asterisk.fake_ami import capture_body  # noqa: E402
from connectors.asterisk.parser import AmiParser  # noqa: E402

CAPTURES = REPO / "tests" / "data" / "asterisk"
_ID_LINE = re.compile(
    rb"^((?:Dest|Target)?(?:Uniqueid|Linkedid|UniqueID|LinkedID): \d+\.\d+)", re.MULTILINE
)


def _template(data: bytes) -> list[bytes]:
    """The capture split right after every id value, so ids can be suffixed by a join."""
    parts, last = [], 0
    for match in _ID_LINE.finditer(data):
        parts.append(data[last : match.end()])
        last = match.end()
    parts.append(data[last:])
    return parts


def build_stream(rounds: int) -> tuple[bytes, int]:
    """Concatenated replays with unique ids per round, and how many calls they hold."""
    files = sorted(CAPTURES.glob("*.ami"))
    if not files:
        raise SystemExit(f"no captures in {CAPTURES}")
    expected = json.loads((CAPTURES / "expected.json").read_text())
    calls_per_round = sum(len(entry["calls"]) for entry in expected)
    templates = [_template(capture_body(f.read_bytes())) for f in files]
    chunks = [b"Asterisk Call Manager/11.0.0\r\n"]
    for n in range(rounds):
        suffix = b"%06d" % n
        chunks.extend(suffix.join(t) for t in templates)
    return b"".join(chunks), calls_per_round * rounds


def run(rounds: int, chunk: int) -> dict[str, float]:
    """Feed the stream through parser and detector; return the measured figures."""
    stream, calls = build_stream(rounds)
    parser = AmiParser()
    detector = MissedCallDetector()
    verdicts: Counter[str] = Counter()
    events = 0
    now = time.time()
    started = time.perf_counter()
    for start in range(0, len(stream), chunk):
        for message in parser.feed(stream[start : start + chunk]):
            events += 1
            for verdict in detector.feed(message, now):
                verdicts[verdict.kind.value] += 1
    for verdict in detector.tick(now + 3600):
        verdicts[verdict.kind.value] += 1
    elapsed = time.perf_counter() - started
    if sum(verdicts.values()) != calls:
        raise SystemExit(f"expected {calls} verdicts, got {dict(verdicts)}")
    return {
        "events": events,
        "seconds": round(elapsed, 3),
        "events_per_second": round(events / elapsed),
        "megabytes": round(len(stream) / 1e6, 1),
        **{f"verdicts_{k}": v for k, v in sorted(verdicts.items())},
    }


def main() -> None:
    """Command-line entry point."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=60, help="replays of every capture")
    args.add_argument("--chunk", type=int, default=65_536, help="bytes per parser.feed call")
    opts = args.parse_args()
    result = run(opts.rounds, opts.chunk)
    for key, value in result.items():
        print(f"{key}: {value}")
    print(f"{result['events_per_second']:,} AMI events/s (parser + detector, one core)")


if __name__ == "__main__":
    main()
