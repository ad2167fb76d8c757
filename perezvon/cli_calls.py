"""`perezvon calls list TENANT [--open] [--limit N] [--json]`: recent missed calls and what
became of them (state, resolution, who claimed and resolved, repeats, attempts, time to call
back), from the follow-up record."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from perezvon import operator
from store import Store
from store.errors import NotFound

Command = Callable[[Store], Awaitable[operator.Result]]


def add_parsers(sub: Any, json_flag: argparse.ArgumentParser) -> None:
    calls = sub.add_parser("calls", help="missed calls and their follow-up").add_subparsers(
        dest="action", required=True
    )
    ls = calls.add_parser("list", parents=[json_flag], help="recent calls, newest first")
    ls.add_argument("tenant")
    ls.add_argument("--open", action="store_true", help="only calls nobody has resolved")
    ls.add_argument("--limit", type=int, default=50)


def _when(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC") if ts else None


async def calls_list(store: Store, tid: str, open_only: bool, limit: int) -> operator.Result:
    if not await store.tenants.exists(tid):
        raise NotFound(f"no tenant {tid}")
    rows, lines = [], []
    for card in await store.followups.recent(tid, limit, open_only=open_only):
        row = {**card.as_dict(), "first_seen": _when(card.first_seen),
               "last_seen": _when(card.last_seen)}  # fmt: skip
        rows.append(row)
        state = row["resolution"] or row["state"]
        who = row["resolved_by"] or row["claimed_by"] or ""
        lines.append(
            f"#{card.id} {row['first_seen']} {card.caller or 'hidden'} x{card.count} "
            f"{state}{' ' + who if who else ''}"
        )
    return operator.Result(rows, lines or ["No calls."])


def command(args: argparse.Namespace) -> Command | None:
    """The store operation of `calls list`, or None for any other command line."""
    if (args.cmd, getattr(args, "action", None)) != ("calls", "list"):
        return None
    return lambda store: calls_list(store, args.tenant, args.open, args.limit)
