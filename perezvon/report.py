"""`perezvon report TENANT [--since 7d|30d|YYYY-MM-DD] [--json]`: what the company's missed
calls look like over a period, from the calls the store keeps today (store/calls.py).

Figures that need the follow-up loop (who called back, when, by which resolution) are present
with the value null and named in `pending`: they come with issue 14's claims and resolutions.
The store keeps the newest 1000 calls of a tenant for 30 days; `complete` says whether the
period may reach further back than that.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from perezvon import operator
from store import Store
from store.calls import DEDUP_SECONDS, RECENT_KEPT
from store.events import CallEvent
from store.models import RecordedCall

RESOLUTIONS = ("called_back", "got_through", "manual", "expired")
PENDING = (
    "open",
    "resolved",
    "callback_rate",
    "median_time_to_callback_s",
    "p90_time_to_callback_s",
    "escalations",
    "by_employee",
    "not_called_back",
)
PENDING_NOTE = "comes with the follow-up loop (claims and resolutions, issue 14)"
Command = Callable[[Store], Awaitable[operator.Result]]


class BadPeriod(ValueError):
    """--since is neither a number of days (7d) nor a date (2027-01-01)."""


def since_epoch(text: str, tz: str, now: float) -> float:
    """ "7d" -> now minus 7 days; "2027-01-01" -> that day's midnight in the tenant's zone."""
    text = text.strip()
    if text.endswith("d") and text[:-1].isdigit() and int(text[:-1]) > 0:
        return now - int(text[:-1]) * 86_400
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise BadPeriod(f"--since {text!r}: use 7d, 30d or a date like 2027-01-01") from exc
    return datetime.combine(day, time(), ZoneInfo(tz)).timestamp()


def _caller(rec: RecordedCall) -> str:
    return CallEvent.model_validate_json(rec.payload).caller


def figures(calls: list[RecordedCall], tz: str, since: float, now: float) -> dict[str, Any]:
    """The report of the calls recorded in [since, now] (pure: no store, no clock)."""
    zone = ZoneInfo(tz)
    inside = [c for c in calls if since <= c.recorded_at <= now]
    callers = Counter(_caller(c) for c in inside)
    by_group: dict[str, dict[str, int]] = defaultdict(lambda: {"missed": 0, "callers": 0})
    group_callers: dict[str, set[str]] = defaultdict(set)
    per_day: Counter[str] = Counter()
    for c in inside:
        by_group[c.group_id]["missed"] += 1
        group_callers[c.group_id].add(_caller(c))
        per_day[datetime.fromtimestamp(c.recorded_at, zone).date().isoformat()] += 1
    for gid, people in group_callers.items():
        by_group[gid]["callers"] = len(people)
        by_group[gid]["repeat_calls"] = by_group[gid]["missed"] - len(people)
    oldest_kept = min((c.recorded_at for c in calls), default=now)
    complete = since >= now - DEDUP_SECONDS and (len(calls) < RECENT_KEPT or since >= oldest_kept)
    return {
        "since": datetime.fromtimestamp(since, UTC).isoformat(),
        "until": datetime.fromtimestamp(now, UTC).isoformat(),
        "complete": complete,
        "missed": len(inside),
        "callers": len(callers),
        "repeat_calls": len(inside) - len(callers),
        "top_callers": [{"caller": n, "calls": k} for n, k in callers.most_common(10) if k > 1],
        "per_day": dict(sorted(per_day.items())),
        "by_group": dict(sorted(by_group.items())),
        "open": None,
        "resolved": dict.fromkeys(RESOLUTIONS),
        "callback_rate": None,
        "median_time_to_callback_s": None,
        "p90_time_to_callback_s": None,
        "escalations": None,
        "by_employee": None,
        "not_called_back": None,
        "pending": {"fields": list(PENDING), "note": PENDING_NOTE},
    }


async def report(store: Store, tid: str, since: str, now: float) -> operator.Result:
    tenant = await store.tenants.get(tid)
    start = since_epoch(since, tenant.tz, now)
    data = {
        "tenant": tid,
        **figures(await store.calls.recent(tid, RECENT_KEPT), tenant.tz, start, now),
    }
    lines = [
        f"Tenant {tid} «{tenant.name}», {data['since'][:16]} to {data['until'][:16]} UTC"
        + ("" if data["complete"] else " (only the calls still kept: the newest 1000, 30 days)"),
        f"Missed calls: {data['missed']}; distinct callers: {data['callers']}; "
        f"repeat calls: {data['repeat_calls']}",
    ]
    lines += [
        f"  group {gid}: {g['missed']} missed, {g['callers']} callers, {g['repeat_calls']} repeat"
        for gid, g in data["by_group"].items()
    ]
    lines += [f"  {day}: {n}" for day, n in data["per_day"].items()]
    lines.append(f"Callbacks, resolutions, time to callback, per employee: {PENDING_NOTE}.")
    return operator.Result(data, lines)


def add_parser(sub: Any, json_flag: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[json_flag], help="a tenant's missed calls over a period")
    p.add_argument("tenant")
    p.add_argument("--since", default="7d", help="7d, 30d (days back) or YYYY-MM-DD")


def command(args: argparse.Namespace, clock: Callable[[], float]) -> Command | None:
    if args.cmd != "report":
        return None
    from perezvon.cli import UsageError

    try:
        since_epoch(args.since, "UTC", clock())  # checked before connecting to Redis
    except BadPeriod as exc:
        raise UsageError(str(exc)) from None
    return lambda store: report(store, args.tenant, args.since, clock())
