"""`perezvon report TENANT [--since 7d|30d|YYYY-MM-DD] [--json]`: what became of a period's
missed calls, from the follow-up cards (store/followup.py): one card per caller while it is
unresolved, so a card is one "episode" of a caller's missed calls and its resolution is how
that episode ended.

The period holds the cards first seen in it. The store keeps the newest 1000 cards of a tenant
for 60 days; `complete` says whether the period may reach further back than that.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from perezvon import operator
from perezvon.hours import Hours, next_opening
from store import Store
from store.cards import HISTORY_SECONDS, RECENT_KEPT, Card, Resolution, State

RESOLUTIONS = tuple(r.value for r in Resolution)
# What an employee did: the caller was called back by the PBX's record or by a "done" press.
CALLED_BACK = (Resolution.CALLED_BACK, Resolution.MANUAL)
# The outcomes a chart stacks, in its order: every card ends as one of them.
OUTCOMES = (*RESOLUTIONS, "open")
KEPT_SECONDS = HISTORY_SECONDS * 2
NOT_CALLED_BACK_SHOWN = 50
# The weekly report: Mondays at 09:00 in the tenant's zone, or at the opening of its hours.
WEEKLY_TIME = time(9, 0)
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


def outcome(card: Card) -> str:
    """How the card ended: its resolution, or "open" while nobody resolved it."""
    return card.resolution.value if card.resolution else "open"


def time_to_callback(card: Card) -> float | None:
    """Seconds from the first missed call to the call back (PBX-recorded or marked done)."""
    if card.resolution in CALLED_BACK:
        return max(0.0, card.resolved_at - card.first_seen)
    return None


def employee(card: Card) -> str:
    """Who resolved the card: the subscriber's name, else the PBX extension, else ""."""
    return card.resolved_name or (f"#{card.extension}" if card.extension else "")


def median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def p90(values: list[float]) -> float | None:
    """The nearest-rank 90th percentile: the smallest value with 90% of values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)])


def _caller_key(card: Card) -> str:
    return card.caller or f"hidden#{card.id}"  # a hidden number is nobody in particular


def summary(cards: Iterable[Card]) -> dict[str, Any]:
    """The figures of a set of cards (a period, a group): pure arithmetic."""
    cards = list(cards)
    missed = sum(c.count for c in cards)
    callers = len({_caller_key(c) for c in cards})
    resolved = Counter(c.resolution.value for c in cards if c.resolution)
    waits = [w for c in cards if (w := time_to_callback(c)) is not None]
    callbacks = sum(1 for c in cards if c.resolution in CALLED_BACK)
    return {
        "missed": missed,
        "cards": len(cards),
        "callers": callers,
        "repeat_calls": missed - callers,
        "open": sum(1 for c in cards if c.state is not State.RESOLVED),
        "claimed": sum(1 for c in cards if c.state is State.CLAIMED),
        "resolved": {r: resolved.get(r, 0) for r in RESOLUTIONS},
        "callback_rate": round(callbacks / len(cards), 4) if cards else None,
        "median_time_to_callback_s": median(waits),
        "p90_time_to_callback_s": p90(waits),
        "escalations": sum(1 for c in cards if c.escalated),
    }


def _by_employee(cards: list[Card]) -> dict[str, dict[str, Any]]:
    claimed: Counter[str] = Counter(c.claimed_name for c in cards if c.claimed_name)
    done: dict[str, list[Card]] = defaultdict(list)
    for c in cards:
        if c.resolution in CALLED_BACK and (who := employee(c)):
            done[who].append(c)
    out = {}
    for who in sorted(set(claimed) | set(done)):
        waits = [w for c in done[who] if (w := time_to_callback(c)) is not None]
        out[who] = {
            "claimed": claimed.get(who, 0),
            "called_back": sum(1 for c in done[who] if c.resolution is Resolution.CALLED_BACK),
            "manual": sum(1 for c in done[who] if c.resolution is Resolution.MANUAL),
            "median_time_to_callback_s": median(waits),
        }
    return out


def _not_called_back(cards: list[Card]) -> list[dict[str, Any]]:
    """Callers whose episode is still open or expired, oldest first."""
    left = [c for c in cards if c.state is not State.RESOLVED or c.resolution is Resolution.EXPIRED]
    return [
        {
            "caller": c.caller or None,
            "card": c.id,
            "group": c.group_id,
            "calls": c.count,
            "first_seen": _iso(c.first_seen),
            "last_seen": _iso(c.last_seen),
            "state": outcome(c),
            "attempts": c.attempts,
        }
        for c in sorted(left, key=lambda c: c.first_seen)
    ]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def in_period(cards: Iterable[Card], since: float, now: float) -> list[Card]:
    return [c for c in cards if since <= c.first_seen <= now]


def figures(cards: list[Card], tz: str, since: float, now: float) -> dict[str, Any]:
    """The report of the cards first seen in [since, now] (pure: no store, no clock)."""
    zone = ZoneInfo(tz)
    inside = in_period(cards, since, now)
    groups: dict[str, list[Card]] = defaultdict(list)
    per_day: Counter[str] = Counter()
    for c in inside:
        groups[c.group_id].append(c)
        per_day[datetime.fromtimestamp(c.first_seen, zone).date().isoformat()] += c.count
    callers = Counter(_caller_key(c) for c in inside for _ in range(c.count))
    oldest_kept = min((c.first_seen for c in cards), default=now)
    complete = since >= now - KEPT_SECONDS and (len(cards) < RECENT_KEPT or since >= oldest_kept)
    missing = _not_called_back(inside)
    return {
        "since": _iso(since),
        "until": _iso(now),
        "complete": complete,
        **summary(inside),
        "top_callers": [
            {"caller": n, "calls": k}
            for n, k in callers.most_common(10)
            if k > 1 and not n.startswith("hidden#")
        ],
        "per_day": dict(sorted(per_day.items())),
        "by_group": {gid: summary(gc) for gid, gc in sorted(groups.items())},
        "by_employee": _by_employee(inside),
        "not_called_back": missing[:NOT_CALLED_BACK_SHOWN],
        "not_called_back_total": len(missing),
    }


@dataclass(frozen=True, slots=True)
class Series:
    """Missed calls per bucket (a day, or an hour for a period of one day), per outcome."""

    hourly: bool
    buckets: list[datetime]  # each bucket's start, in the tenant's zone
    counts: dict[str, list[int]]  # outcome (OUTCOMES) -> one count per bucket

    @property
    def total(self) -> int:
        return sum(sum(v) for v in self.counts.values())


def series(cards: list[Card], tz: str, since: float, now: float) -> Series:
    """Every bucket of [since, now], empty ones too, each card's calls counted in the bucket of
    its first call and stacked by how the card ended."""
    zone = ZoneInfo(tz)
    hourly = now - since <= 86_400

    def floor(ts: float) -> int:
        """The start of the bucket of `ts`, as epoch seconds (a DST day has 23 or 25 hours)."""
        local = datetime.fromtimestamp(ts, zone)
        if hourly:
            return int(ts) - local.minute * 60 - local.second
        return int(datetime.combine(local.date(), time(), zone).timestamp())

    def step(start: int) -> int:
        if hourly:
            return start + 3600
        day = datetime.fromtimestamp(start, zone).date() + timedelta(days=1)
        return int(datetime.combine(day, time(), zone).timestamp())

    starts, at = [], floor(since)
    while at <= now:
        starts.append(at)
        at = step(at)
    index = {b: i for i, b in enumerate(starts)}
    counts = {o: [0] * len(starts) for o in OUTCOMES}
    for c in in_period(cards, since, now):
        i = index.get(floor(c.first_seen))
        if i is not None:
            counts[outcome(c)][i] += c.count
    return Series(hourly, [datetime.fromtimestamp(b, zone) for b in starts], counts)


CSV_COLUMNS = (
    "card", "first_seen", "last_seen", "caller", "group", "state", "resolution", "claimed_by",
    "claimed_at", "resolved_by", "resolved_at", "extension", "time_to_callback_s", "attempts",
    "repeat_count", "escalated",
)  # fmt: skip


def csv_bytes(cards: list[Card], tz: str, since: float, now: float) -> bytes:
    """The period's cards, oldest first, one row each (times ISO 8601 in the tenant's zone);
    UTF-8 with a byte-order mark, so a spreadsheet opens the Cyrillic names right."""
    zone = ZoneInfo(tz)

    def when(ts: float) -> str:
        return datetime.fromtimestamp(ts, zone).isoformat(timespec="seconds") if ts else ""

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in sorted(in_period(cards, since, now), key=lambda c: (c.first_seen, c.id)):
        wait = time_to_callback(c)
        writer.writerow([
            c.id, when(c.first_seen), when(c.last_seen), c.caller, c.group_id, c.state.value,
            c.resolution.value if c.resolution else "", c.claimed_name, when(c.claimed_at),
            employee(c), when(c.resolved_at), c.extension,
            "" if wait is None else round(wait), c.attempts, c.count, int(c.escalated),
        ])  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def next_weekly(after: float, tz: str, hours: Hours | None) -> int:
    """When the weekly report after `after` is due: the first Monday 09:00 (with working
    hours: the first opening from that Monday's midnight on, a holiday Monday's moving to the
    next day open) that is later than `after`."""
    zone = ZoneInfo(tz)
    today = datetime.fromtimestamp(after, zone).date()
    monday = today - timedelta(days=today.weekday())
    for week in range(3):
        day = monday + timedelta(days=7 * week)
        due = datetime.combine(day, WEEKLY_TIME, zone).timestamp()
        if hours is not None:
            opening = next_opening(hours, datetime.combine(day, time(), zone), tz)
            due = opening.timestamp() if opening is not None else due
        if due > after:
            return int(due)
    raise AssertionError("a Monday within three weeks is always later")  # pragma: no cover


async def tenant_cards(store: Store, tid: str) -> list[Card]:
    return await store.followups.recent(tid, RECENT_KEPT)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def text_lines(data: dict[str, Any], title: str) -> list[str]:
    """The operator's (English) reading of `figures`."""
    r = data["resolved"]
    rate = data["callback_rate"]
    lines = [
        title + ("" if data["complete"] else " (only the cards still kept: 1000, 60 days)"),
        f"Missed calls: {data['missed']}; distinct callers: {data['callers']}; "
        f"repeat calls: {data['repeat_calls']}",
        f"Resolved: called back {r['called_back']}, got through {r['got_through']}, "
        f"marked done {r['manual']}, expired {r['expired']}; still open {data['open']}",
        f"Callback rate: {'-' if rate is None else f'{rate:.0%}'}; time to callback: median "
        f"{_duration(data['median_time_to_callback_s'])}, "
        f"90% within {_duration(data['p90_time_to_callback_s'])}; "
        f"escalations: {data['escalations']}",
    ]
    for gid, g in data["by_group"].items():
        lines.append(
            f"  group {gid}: {g['missed']} missed, {g['callers']} callers, "
            f"{g['repeat_calls']} repeat, {g['open']} open, called back "
            f"{g['resolved']['called_back'] + g['resolved']['manual']}"
        )
    for who, e in data["by_employee"].items():
        lines.append(
            f"  {who}: claimed {e['claimed']}, called back {e['called_back']}, "
            f"marked done {e['manual']}, median {_duration(e['median_time_to_callback_s'])}"
        )
    if data["not_called_back"]:
        lines.append(f"Nobody called back ({data['not_called_back_total']}):")
        lines += [
            f"  {n['caller'] or 'hidden'} x{n['calls']} since {n['first_seen'][:16]} ({n['state']})"
            for n in data["not_called_back"]
        ]
    lines += [f"  {day}: {n}" for day, n in data["per_day"].items()]
    return lines


async def report(store: Store, tid: str, since: str, now: float) -> operator.Result:
    tenant = await store.tenants.get(tid)
    start = since_epoch(since, tenant.tz, now)
    data = {"tenant": tid, **figures(await tenant_cards(store, tid), tenant.tz, start, now)}
    title = f"Tenant {tid} «{tenant.name}», {data['since'][:16]} to {data['until'][:16]} UTC"
    return operator.Result(data, text_lines(data, title))


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
