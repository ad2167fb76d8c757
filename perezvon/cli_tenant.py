"""`perezvon tenant set ID [--name] [--tz] [--lang] [--new-groups on|off]
[--key-activation on|off] [--escalate-after M] [--callback-window H] [--hours ...]
[--holiday D ...] [--off-hours notify|quiet|digest] [--silence-alert 2h] [--group G]
[--weekly-report on|off]`: change a
tenant's settings. One command for every setting, so a new one is a new flag here and a keyword
of `store.tenants.set_options`, never a new subcommand."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from perezvon import operator
from perezvon.settings import Settings
from store import Store

Command = Callable[[Store], Awaitable[operator.Result]]
# flag dest -> keyword of store.tenants.set_options
SETTINGS = (
    "name", "tz", "lang", "new_groups", "key_activation", "escalate_after", "callback_window"
)  # fmt: skip
# flag dest -> keyword of store.schedules.set_tenant (working hours, docs/hours.md)
HOURS = ("hours", "holidays", "off_hours", "silence_alert")


def add_parsers(
    tenant: Any,
    json_flag: argparse.ArgumentParser,
    on_off: Callable[[str], bool],
    zone: Callable[[str], str],
) -> None:
    """`tenant set` under the `tenant` subparsers (and --new-groups on `tenant create`)."""
    set_ = tenant.add_parser(
        "set", parents=[json_flag], help="change a tenant's settings (only the flags given)"
    )
    set_.add_argument("id")
    set_.add_argument("--name", default=None)
    set_.add_argument("--tz", type=zone, default=None, help="IANA time zone")
    set_.add_argument("--lang", choices=("ru", "en"), default=None)
    set_.add_argument(
        "--new-groups",
        type=on_off,
        default=None,
        metavar="on|off",
        help="whether groups the PBX names from now on notify at once",
    )
    set_.add_argument(
        "--key-activation",
        type=on_off,
        default=None,
        metavar="on|off",
        help="whether /activate <API key> subscribes (off: only invite links do)",
    )
    set_.add_argument(
        "--escalate-after", type=int, default=None, metavar="MINUTES",
        help="an unclaimed card goes to the admins after this long (0 = never; default 15)",
    )  # fmt: skip
    set_.add_argument(
        "--callback-window", type=int, default=None, metavar="HOURS",
        help="a call back within this long resolves a missed call; then it expires (24)",
    )  # fmt: skip
    set_.add_argument(
        "--weekly-report", type=on_off, default=None, metavar="on|off",
        help="the week's chart and figures to the admins, Mondays 09:00 (docs/reports.md)",
    )  # fmt: skip
    _add_hours_flags(set_)


def _duration(value: str) -> int:
    from perezvon.hours import BadHours, parse_duration

    try:
        return parse_duration(value)
    except BadHours as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_hours_flags(set_: argparse.ArgumentParser) -> None:
    hours = set_.add_argument_group("working hours (docs/hours.md)")
    hours.add_argument(
        "--hours", default=None, help='e.g. "Mon-Fri 09:00-18:00; Sat 10:00-14:00"; "" = always'
    )
    hours.add_argument(
        "--holiday",
        dest="holidays",
        action="append",
        default=None,
        metavar="YYYY-MM-DD",
        help="a day off (repeat the flag; the list replaces the previous one; 'none' clears)",
    )
    hours.add_argument("--off-hours", choices=("notify", "quiet", "digest"), default=None)
    hours.add_argument(
        "--silence-alert",
        type=_duration,
        default=None,
        metavar="DURATION",
        help="alarm the admins after this long without PBX events in working hours (0 = off)",
    )
    hours.add_argument(
        "--group", default=None, help="apply --hours/--holiday/--forum to this group"
    )
    hours.add_argument(
        "--forum",
        default=None,
        metavar="CHAT_ID|off",
        help="with --group: send its cards to its own topic in this forum supergroup",
    )


def command(args: argparse.Namespace, settings: Settings) -> Command | None:
    """The store operation of `tenant set`, or None for any other command line."""
    if (args.cmd, getattr(args, "action", None)) != ("tenant", "set"):
        return None
    changes = {name: getattr(args, name) for name in SETTINGS if getattr(args, name) is not None}
    hours = {name: getattr(args, name) for name in HOURS if getattr(args, name) is not None}
    if hours.get("holidays") == ["none"]:
        hours["holidays"] = []
    from perezvon.cli import UsageError

    weekly = args.weekly_report
    if not changes and not hours and args.forum is None and weekly is None:
        raise UsageError("tenant set: nothing to change (see: perezvon tenant set --help)")
    forum = args.forum
    if forum is not None:
        if args.group is None or changes or hours or weekly is not None:
            raise UsageError("tenant set --forum: give --group and nothing else")
        try:
            chat = None if forum == "off" else int(forum)
        except ValueError:
            raise UsageError("tenant set --forum: a chat id like -1001234567890, or off") from None
        return lambda store: _bind_forum(store, args.id, args.group, chat)
    if args.group is not None and (
        set(hours) - {"hours", "holidays"} or changes or "hours" not in hours or weekly is not None
    ):
        raise UsageError("tenant set --group: give --hours (and --holiday), nothing else")

    async def run(store: Store) -> operator.Result:
        result = operator.Result({}, [])
        if changes:
            result = await operator.tenant_set(store, args.id, **changes)
        if hours:
            more = await _set_hours(store, args.id, args.group, hours)
            result = operator.Result({**result.data, **more.data}, result.lines + more.lines)
        if weekly is not None:
            more = await _set_weekly(store, args.id, weekly)
            result = operator.Result({**result.data, **more.data}, result.lines + more.lines)
        return result

    return run


async def _bind_forum(store: Store, tid: str, gid: str, chat: int | None) -> operator.Result:
    await store.tenants.get(tid)
    bound = await store.topics.bind(tid, gid, chat)
    where = f"group {gid} of tenant {tid}"
    if bound is None:
        return operator.Result({"group": gid, "forum": None}, [f"Cards of {where}: no forum."])
    line = f"Cards of {where} go to their own topic in forum {bound.chat_id} (made on first use)."
    return operator.Result({"group": gid, "forum": bound.chat_id}, [line])


async def _set_hours(
    store: Store, tid: str, group: str | None, hours: dict[str, Any]
) -> operator.Result:
    from perezvon.hours import duration_text

    if group is None:
        s = await store.schedules.set_tenant(tid, **hours)
    else:
        s = await store.schedules.set_group(
            tid, group, hours=hours.get("hours", ""), holidays=hours.get("holidays")
        )
    data = {
        "hours": s.hours,
        "holidays": list(s.holidays),
        "off_hours": s.off_hours.value,
        "silence_alert": s.silence_alert,
        **({"group": group} if group is not None else {}),
    }
    where = f"group {group} of tenant {tid}" if group is not None else f"tenant {tid}"
    line = (
        f"Working hours of {where}: {s.hours or 'around the clock'}"
        f"{'; days off ' + ', '.join(s.holidays) if s.holidays else ''}; "
        f"off hours: {s.off_hours.value}; silence alert: {duration_text(s.silence_alert)}."
    )
    return operator.Result(data, [line])


async def _set_weekly(store: Store, tid: str, on: bool) -> operator.Result:
    import time
    from datetime import UTC, datetime

    from delivery.weekly import switch

    due = await switch(store, tid, on, time.time())
    when = datetime.fromtimestamp(due, UTC).isoformat() if due is not None else None
    line = (
        f"Weekly report of tenant {tid}: on, next {when[:16]} UTC."
        if when
        else f"Weekly report of tenant {tid}: off."
    )
    return operator.Result({"weekly_report": on, "weekly_report_next": when}, [line])
