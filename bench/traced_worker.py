"""delivery.standalone with timestamps along a call's path, for bench/latency_bench.py --trace.

    PZ_TRACE=FILE python bench/traced_worker.py <delivery.standalone's arguments>

Wraps (in this process only, nothing in the package changes) the fan-out of an intake entry,
the claim of a job and the start of its send, and writes one JSON line per point to FILE when
the worker stops: {"p": point, "t": wall clock, "call": call id | "caller": +7...,
"entry_ms": the stream entry's id time (Redis's clock at the append)}. A task also samples the
event loop's lag (how late a 10 ms sleep wakes), which a CPU-starved process shows at once.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from delivery import standalone
from delivery.engine import DeliveryEngine
from delivery.fanout import FanOut
from delivery.queue import JobQueue
from delivery.sender import Sender

CALLER = re.compile(r"\+7495\d{7}")
POINTS: list[dict] = []
LAGS: list[float] = []


def _caller(text: str) -> str:
    m = CALLER.search(text or "")
    return m.group(0) if m else ""


_handle = FanOut.handle


async def handle(self, stream, entry_id, fields):
    call = fields.get("call_id", "")
    if call:
        ms = int(entry_id.split("-")[0])
        POINTS.append({"p": "read", "t": time.time(), "call": call, "entry_ms": ms})
    n = await _handle(self, stream, entry_id, fields)
    if call:
        POINTS.append({"p": "fanned", "t": time.time(), "call": call})
    return n


_claim = JobQueue.claim_many


async def claim_many(self, most, budget=64):
    jobs, wait = await _claim(self, most, budget)
    now = time.time()
    for job in jobs:
        caller = _caller(job.text)
        if caller:
            POINTS.append({"p": "claimed", "t": now, "caller": caller, "due": job.due})
    return jobs, wait


_process = Sender.process


async def process(self, job, route):
    caller = _caller(job.text)
    if caller:
        POINTS.append({"p": "send", "t": time.time(), "caller": caller})
    return await _process(self, job, route)


_start = DeliveryEngine.start


async def start(self):
    await _start(self)

    async def lag() -> None:
        while True:
            t = time.monotonic()
            await asyncio.sleep(0.01)
            LAGS.append(time.monotonic() - t - 0.01)

    self._tasks.append(asyncio.create_task(lag(), name="trace-lag"))


FanOut.handle = handle
JobQueue.claim_many = claim_many
Sender.process = process
DeliveryEngine.start = start


def main() -> None:
    try:
        standalone.main()
    finally:
        with open(os.environ["PZ_TRACE"], "w") as f:
            for p in POINTS:
                f.write(json.dumps(p) + "\n")
            f.write(json.dumps({"p": "lag", "lags": LAGS}) + "\n")


if __name__ == "__main__":
    main()
