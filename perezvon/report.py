"""`perezvon report TENANT [--since 7d|30d|YYYY-MM-DD] [--json]`: what became of a period's
missed calls, from the follow-up cards (store/followup.py): one card per caller while it is
unresolved, so a card is one "episode" of a caller's missed calls and its resolution is how
that episode ended.

The period holds the cards first seen in it. The store keeps the newest 1000 cards of a tenant
for 60 days; `complete` says whether the period may reach further back than that.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from perezvon import operator
from store import Store
from store.followup import HISTORY_SECONDS, RECENT_KEPT, Card, Resolution, State

RESOLUTIONS = tuple(r.value for r in Resolution)
# What an employee did: the caller was called back by the PBX's record or by a "done" press.
CALLED_BACK = (Resolution.CALLED_BACK, Resolution.MANUAL)
# The outcomes a chart stacks, in its order: every card ends as one of them.
OUTCOMES = (*RESOLUTIONS, "open")
KEPT_SECONDS = HISTORY_SECONDS * 2
NOT_CALLED_BACK_SHOWN = 50
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
