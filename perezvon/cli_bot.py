"""`perezvon bot list` and `perezvon bot pace BOT [--rate N] [--paid on|off] [--reset]`: every
bot with its sending rate, and one bot's own rate. A bot with paid broadcasts on sends every
message with `allow_paid_broadcast` (charged in Telegram Stars) and may go up to 1000/s.

BOT is `default`, a Telegram bot id, or a @username.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from delivery.pacing import PAID_MAX_PER_SECOND, BotPace, Pace
from delivery.routing import bot_id_of_token
from perezvon import operator
from perezvon.settings import Settings
from store import Store
from store.audit import SERVICE, Actor
from store.errors import NotFound

Command = Callable[[Store], Awaitable[operator.Result]]
DEFAULT = "default"


class UnknownBot(NotFound):
    """No bot of the service answers to this name, or the default bot's id is not known yet."""


@dataclass(frozen=True, slots=True)
class BotRow:
    """One bot as the operator sees it; `tenant` None: the service's default bot."""

    tg_id: int | None
    username: str
    tenant: str | None = None
    tenant_name: str = ""
    status: str = "active"

    @property
    def audit_log(self) -> str:
        return self.tenant or SERVICE

    def label(self) -> str:
        who = f"@{self.username}" if self.username else "the default bot"
        return f"{who} ({self.tg_id})" if self.tg_id is not None else who


def rate(value: str) -> float:
    """A rate in messages per second (argparse type): more than 0, at most 1000."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {value!r}") from None
    if not 0 < number <= PAID_MAX_PER_SECOND:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {PAID_MAX_PER_SECOND:g}")
    return number


def add_parsers(
    sub: Any,
    json_flag: argparse.ArgumentParser,
    parser_class: type,
    on_off: Callable[[str], bool],
) -> None:
    """The `bot` command and its actions under the top-level subparsers."""
    bot = sub.add_parser("bot", help="bots and their sending rate").add_subparsers(
        dest="action", required=True, parser_class=parser_class
    )
    bot.add_parser("list", parents=[json_flag], help="every bot with its tenant and rate")
    pace = bot.add_parser(
        "pace", parents=[json_flag], help="show or set a bot's sending rate (messages/s)"
    )
    pace.add_argument("bot", metavar="BOT", help="default, a Telegram bot id, or @username")
    pace.add_argument(
        "--rate", type=rate, default=None, metavar="N",
        help="messages per second (0-1000; above 30 needs --paid on)",
    )  # fmt: skip
    pace.add_argument(
        "--paid", type=on_off, default=None, metavar="on|off",
        help="send with allow_paid_broadcast: up to 1000/s, charged in Telegram Stars",
    )  # fmt: skip
    pace.add_argument("--reset", action="store_true", help="back to the default rate, unpaid")


async def _default(store: Store, settings: Settings) -> BotRow:
    tg_id = None
    if settings.bot_token is not None:
        tg_id = bot_id_of_token(settings.bot_token.get_secret_value())
    # Without BOT_TOKEN here, what the running service last learnt from getMe.
    tg_id = tg_id or await store.default_bot.tg_id()
    return BotRow(tg_id, await store.default_bot.username() or "")


async def every_bot(store: Store, settings: Settings) -> list[BotRow]:
    """The default bot first, then each tenant's custom bots."""
    rows = [await _default(store, settings)]
    offset, page = 0, 100
    while tenants := await store.tenants.list(offset, page):
        for tenant in tenants:
            rows += [
                BotRow(b.tg_id, b.username, tenant.id, tenant.name, b.status.value)
                for b in await store.bots.list(tenant.id)
            ]
        offset += page
    return rows


async def find(store: Store, settings: Settings, ref: str) -> BotRow:
    """The bot `ref` names (see the module's docstring); UnknownBot if none."""
    rows = await every_bot(store, settings)
    if ref == DEFAULT:
        found = rows[0]
        if found.tg_id is None:
            raise UnknownBot("the default bot's id is not known: set BOT_TOKEN or start the bot")
        return found
    name = ref.removeprefix("@").lower()
    for row in rows:
        if (ref.isdigit() and row.tg_id == int(ref)) or (row.username.lower() == name and name):
            return row
    raise UnknownBot(f"no bot {ref} (see: perezvon bot list)")


def _pace_data(row: BotRow, own: Pace | None, default_rate: float) -> dict[str, Any]:
    return {
        "bot": row.tg_id,
        "username": row.username or None,
        "tenant": row.tenant,
        "tenant_name": row.tenant_name or None,
        "default": row.tenant is None,
        "status": row.status,
        "active": row.status == "active",
        "rate": own.per_second if own else default_rate,
        "paid": bool(own and own.paid),
        "own_rate": own is not None,
    }


def _pace_text(data: dict[str, Any]) -> str:
    paid = "on (charged in Telegram Stars)" if data["paid"] else "off"
    own = "" if data["own_rate"] else " (the default)"
    return f"{data['rate']:g} msg/s{own}, paid broadcasts {paid}"


def _list_line(row: BotRow, data: dict[str, Any]) -> str:
    whose = f"tenant {row.tenant} ({row.tenant_name})" if row.tenant else "default bot"
    return f"{row.label()}  {whose}  {row.status}  {_pace_text(data)}"


def command(args: argparse.Namespace, settings: Settings) -> Command | None:
    """The store operation of a `bot` command line, or None for any other."""
    if args.cmd != "bot":
        return None
    default_rate = settings.bot_rate_per_second
    if args.action == "list":

        async def list_(store: Store) -> operator.Result:
            paces = BotPace.of(store)
            rows, lines = [], []
            for row in await every_bot(store, settings):
                own = await paces.get(row.tg_id) if row.tg_id is not None else None
                data = _pace_data(row, own, default_rate)
                rows.append(data)
                lines.append(_list_line(row, data))
            return operator.Result(rows, lines)

        return list_
    from perezvon.cli import UsageError

    if args.reset and (args.rate is not None or args.paid is not None):
        raise UsageError("bot pace --reset: give no --rate or --paid with it")

    async def pace(store: Store) -> operator.Result:
        row = await find(store, settings, args.bot)
        assert row.tg_id is not None
        paces = BotPace.of(store)
        own = await paces.get(row.tg_id)
        if args.reset:
            await paces.clear(row.tg_id)
            own, detail = None, f"{row.label()} default"
        elif args.rate is not None or args.paid is not None:
            rate = args.rate if args.rate is not None else (own.per_second if own else default_rate)
            paid = args.paid if args.paid is not None else bool(own and own.paid)
            own = Pace.checked(rate, paid)  # BadPace (a usage error) before anything is written
            await paces.set(row.tg_id, own)
            detail = f"{row.label()} {own.per_second:g}/s" + (" paid" if own.paid else "")
        else:
            data = _pace_data(row, own, default_rate)
            return operator.Result(data, [f"Bot {row.label()}: {_pace_text(data)}."])
        await store.audit.record(row.audit_log, Actor.cli(), "bot.pace", detail)
        data = _pace_data(row, own, default_rate)
        return operator.Result(data, [f"Bot {row.label()} now sends at {_pace_text(data)}."])

    return pace
