"""Counters and a latency histogram kept in Redis, so every process of every role adds up."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping

from redis.asyncio import Redis

from store.counters import Counters

PREFIX = "perezvon_"
# A pending histogram count's name: HIST + bucket ("0.5", "+Inf", "sum_us").
HIST = "latency:"

# name -> help text; an explicit registry so /metrics is stable and documented.
COUNTERS: dict[str, str] = {
    "events_accepted_total": "Missed-call events accepted durably",
    "events_duplicate_total": "Events recognised as already accepted",
    "events_ignored_total": "Events whose group does not notify",
    "events_rejected_total": "Requests refused as invalid or unauthorised",
    "messages_queued_total": "Telegram messages queued for delivery",
    "messages_sent_total": "Telegram messages Telegram accepted",
    "messages_retried_total": "Send attempts retried after a transient failure",
    "messages_failed_total": "Messages given up for a permanent reason",
    "messages_dead_lettered_total": "Messages moved to the dead-letter list",
    "telegram_429_total": "Too Many Requests answers, per bot",
    "card_edits_total": "Edits of follow-up cards, per verdict",
    "telegram_polling_errors_total": "Failed getUpdates calls of the bot runtime, per error",
    # Cloud PBX connectors (webhook_ingest/hooks.py)
    "connector_events_total": "Verdicts from cloud PBX webhooks, per vendor and outcome",
    "connector_rejected_total": "Cloud PBX webhooks refused (signature, token, source IP)",
    "connector_unreadable_total": "Signed cloud PBX webhooks whose event could not be read",
}
HISTOGRAM = "delivery_latency_seconds"
HISTOGRAM_HELP = "From acceptance of a call to Telegram accepting its message"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

Gauges = Callable[[], Awaitable[Mapping[str, tuple[str, float]]]]


def _field(name: str, labels: Mapping[str, str] | None) -> str:
    if not labels:
        return name
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """Counts in memory, flushes to the store in one round trip; `render()` shows every
    process's sum. Takes the store's `counters` (a bare client is wrapped in one, for the
    delivery queue and tests that hold one)."""

    def __init__(self, counters: Counters | Redis, flush_every: float = 1.0) -> None:
        self._counters = counters if isinstance(counters, Counters) else Counters(counters)
        self._pending: Counter[str] = Counter()
        self._flush_every = flush_every
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def inc(self, name: str, labels: Mapping[str, str] | None = None, by: int = 1) -> None:
        if name not in COUNTERS:
            raise KeyError(f"unknown counter {name}")
        self._pending[_field(name, labels)] += by

    def observe(self, seconds: float) -> None:
        for bound in BUCKETS:
            if seconds <= bound:
                self._pending[f"{HIST}{bound}"] += 1
                break
        else:
            self._pending[f"{HIST}+Inf"] += 1
        self._pending[f"{HIST}sum_us"] += round(seconds * 1_000_000)

    async def flush(self) -> None:
        pending, self._pending = self._pending, Counter()
        if not pending:
            return
        counters = {f: v for f, v in pending.items() if not f.startswith(HIST)}
        buckets = {f.removeprefix(HIST): v for f, v in pending.items() if f.startswith(HIST)}
        await self._counters.add(counters, buckets)

    async def _loop(self) -> None:
        # Ends on the event, never by cancel(): redis-py can swallow a cancellation that lands
        # inside a command, and a loop waiting for one would then hang the shutdown.
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._flush_every)
            with contextlib.suppress(Exception):
                await self.flush()

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="metrics-flush")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task:
            await self._task
        await self.flush()

    async def render(self, gauges: Gauges | None = None) -> str:
        """The Prometheus text exposition of every counter, the histogram and live gauges."""
        await self.flush()
        counters, hist = await self._counters.read()
        lines: list[str] = []
        for name, help_text in COUNTERS.items():
            lines += [f"# HELP {PREFIX}{name} {help_text}", f"# TYPE {PREFIX}{name} counter"]
            rows = {f: v for f, v in counters.items() if f == name or f.startswith(name + "{")}
            if not rows and "{" not in name:
                rows = {name: "0"}
            lines += [f"{PREFIX}{field} {value}" for field, value in sorted(rows.items())]
        lines += [
            f"# HELP {PREFIX}{HISTOGRAM} {HISTOGRAM_HELP}",
            f"# TYPE {PREFIX}{HISTOGRAM} histogram",
        ]
        cumulative = 0
        for bound in (*BUCKETS, "+Inf"):
            cumulative += int(hist.get(str(bound), 0))
            lines.append(f'{PREFIX}{HISTOGRAM}_bucket{{le="{bound}"}} {cumulative}')
        lines.append(f"{PREFIX}{HISTOGRAM}_sum {int(hist.get('sum_us', 0)) / 1_000_000}")
        lines.append(f"{PREFIX}{HISTOGRAM}_count {cumulative}")
        if gauges is not None:
            for name, (help_text, value) in (await gauges()).items():
                lines += [f"# HELP {PREFIX}{name} {help_text}", f"# TYPE {PREFIX}{name} gauge"]
                lines.append(f"{PREFIX}{name} {value}")
        return "\n".join(lines) + "\n"
