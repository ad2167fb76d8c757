"""`perezvon tenant set ID [--name] [--tz] [--lang] [--new-groups on|off]
[--key-activation on|off] [--escalate-after M] [--callback-window H]`: change a tenant's
settings. One command for every setting, so a new one is a new flag here and a keyword of
`store.tenants.set_options`, never a new subcommand."""

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


def command(args: argparse.Namespace, settings: Settings) -> Command | None:
    """The store operation of `tenant set`, or None for any other command line."""
    if (args.cmd, getattr(args, "action", None)) != ("tenant", "set"):
        return None
    changes = {name: getattr(args, name) for name in SETTINGS if getattr(args, name) is not None}
    if not changes:
        from perezvon.cli import UsageError

        raise UsageError("tenant set: nothing to change (see: perezvon tenant set --help)")
    return lambda store: operator.tenant_set(store, args.id, **changes)
