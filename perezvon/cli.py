"""The `perezvon` console script: parse, load settings, dispatch, map failures to exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from perezvon import (
    cli_access,
    cli_bot,
    cli_calls,
    cli_connector,
    cli_tenant,
    logs,
    operator,
    report,
)
from perezvon.redis_runtime import RedisUnavailable, open_store
from perezvon.settings import ConfigError, Settings, load
from store import Store
from store.errors import InvalidInput, StoreError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
ROLES = ("all", "bot", "ingest", "worker", "ami")


class UsageError(Exception):
    """Bad command-line usage: exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a mistake as one line and exit code 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _on_off(value: str) -> bool:
    if value not in ("on", "off"):
        raise argparse.ArgumentTypeError("must be on or off")
    return value == "on"


def zone(value: str) -> str:
    """An IANA time zone name (argparse type): a typo is a usage error, exit 2."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {value!r} (e.g. Europe/Moscow)"
        ) from None
    return value


def _readable_file(value: str) -> str:
    try:
        with open(value, "rb"):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {value}: {exc.strerror}") from None
    return value


def _did_group(value: str) -> tuple[str, str]:
    did, sep, group = value.partition("=")
    if not sep or not did.strip() or not group.strip():
        raise argparse.ArgumentTypeError("must look like DID=GROUP")
    return did.strip(), group.strip()


def build_parser() -> Parser:
    json_flag = Parser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="print one JSON document")
    p = Parser(prog="perezvon", description="Missed-call notifications from a PBX to Telegram.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=Parser)

    run = sub.add_parser("run", parents=[json_flag], help="run the service")
    run.add_argument("--role", choices=ROLES, default="all", help="what this process does")

    tenant = sub.add_parser("tenant", help="customer companies").add_subparsers(
        dest="action", required=True, parser_class=Parser
    )
    create = tenant.add_parser(
        "create", parents=[json_flag], help="create; prints the API key once"
    )
    create.add_argument("--name", required=True)
    create.add_argument(
        "--tz", type=zone, default=None, help="IANA time zone (default: DEFAULT_TZ)"
    )
    create.add_argument("--lang", choices=("ru", "en"), default=None)
    create.add_argument(
        "--new-groups", type=_on_off, default=True, metavar="on|off",
        help="whether groups the PBX names notify at once (default on)",
    )  # fmt: skip
    cli_tenant.add_parsers(tenant, json_flag, _on_off, zone)
    tenant.add_parser("list", parents=[json_flag], help="list tenants")
    rotate = tenant.add_parser("rotate-key", parents=[json_flag], help="issue a new API key")
    rotate.add_argument("id")
    delete = tenant.add_parser("delete", parents=[json_flag], help="delete with all its data")
    delete.add_argument("id")
    delete.add_argument("--yes", action="store_true", help="confirm the deletion")

    report.add_parser(sub, json_flag)  # docs/reports.md
    group = sub.add_parser("group", help="call groups of a tenant").add_subparsers(
        dest="action", required=True, parser_class=Parser
    )
    gadd = group.add_parser("add", parents=[json_flag], help="add or update a group")
    gadd.add_argument("tenant")
    gadd.add_argument("group_id")
    gadd.add_argument("--name", default="")
    gadd.add_argument("--notify", type=_on_off, default=True, metavar="on|off")
    gset = group.add_parser("set", parents=[json_flag], help="change a group's settings")
    gset.add_argument("tenant")
    gset.add_argument("group_id")
    gset.add_argument(
        "--escalation-chat", type=int, required=True, metavar="CHAT_ID",
        help="a Telegram group the bot is in that also gets this group's escalations (0: none)",
    )  # fmt: skip
    glist = group.add_parser("list", parents=[json_flag], help="list a tenant's groups")
    glist.add_argument("tenant")

    ami = sub.add_parser("ami", help="Asterisk Manager Interface links").add_subparsers(
        dest="action", required=True, parser_class=Parser
    )
    aadd = ami.add_parser("add", parents=[json_flag], help="connect a tenant's Asterisk")
    aadd.add_argument("tenant")
    aadd.add_argument("--host", required=True)
    aadd.add_argument("--port", type=int, default=5038)
    aadd.add_argument("--username", required=True)
    aadd.add_argument("--secret", required=True)
    aadd.add_argument("--tls", action="store_true")
    aadd.add_argument(
        "--tls-ca", type=_readable_file, default=None, metavar="PEM",
        help="CA of a self-signed cert",
    )  # fmt: skip
    aadd.add_argument(
        "--did-group",
        action="append",
        type=_did_group,
        default=[],
        metavar="DID=GROUP",
        help="route calls to this DID (outside any queue) to GROUP; repeatable",
    )
    aadd.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="CTX",
        help="inbound dialplan context prefix (default from-trunk, from-pstn); repeatable",
    )
    aadd.add_argument(
        "--dial", action="store_true",
        help="«Позвонить»: ring the employee's extension, then the customer (AMI Originate)",
    )  # fmt: skip
    aadd.add_argument("--dial-tech", default="PJSIP", metavar="TECH", help="phones' channel type")
    aadd.add_argument(
        "--dial-context", default="from-internal", metavar="CTX",
        help="context dialled at the customer's number once the phone answers",
    )  # fmt: skip
    aadd.add_argument(
        "--dial-app", default="", metavar="APP",
        help="run this application instead of a context (e.g. Dial)",
    )  # fmt: skip
    aadd.add_argument(
        "--dial-data", default="", metavar="DATA",
        help="its data; {number} is the customer's number (e.g. PJSIP/{number}@trunk)",
    )  # fmt: skip
    ami.add_parser("list", parents=[json_flag], help="list AMI links")
    aremove = ami.add_parser("remove", parents=[json_flag], help="remove an AMI link")
    aremove.add_argument("id")

    cli_access.add_parsers(sub, json_flag, Parser)  # invite, token, audit
    cli_connector.add_parsers(sub, json_flag, Parser)
    cli_bot.add_parsers(sub, json_flag, Parser, _on_off)  # bot list, bot pace
    cli_calls.add_parsers(sub, json_flag)  # calls list: the follow-up record

    sandbox = sub.add_parser("sandbox", parents=[json_flag], help="play a Telegram user")
    sandbox.add_argument("--url", default=None, help="emulator URL (default: the running one)")
    return p


Command = Callable[[Store], Awaitable[operator.Result]]


def _store_command(args: argparse.Namespace, settings: Settings) -> Command:
    """The store operation this command line asks for (audited when it changes a tenant)."""
    return cli_access.audited(args, _plain_command(args, settings))


def _plain_command(args: argparse.Namespace, settings: Settings) -> Command:
    if (found := cli_tenant.command(args, settings) or cli_calls.command(args)) is not None:
        return found
    if (found := cli_access.command(args)) is not None:
        return found
    if (found := report.command(args, time.time)) is not None:
        return found
    if (found := cli_connector.command(args, settings)) is not None:
        return found
    if (found := cli_bot.command(args, settings)) is not None:
        return found
    match (args.cmd, getattr(args, "action", None)):
        case ("tenant", "create"):
            tz, lang = args.tz or settings.default_tz, args.lang or settings.default_lang
            return lambda s: operator.tenant_create(s, args.name, tz, lang, args.new_groups)
        case ("tenant", "list"):
            return operator.tenant_list
        case ("tenant", "rotate-key"):
            return lambda s: operator.tenant_rotate_key(s, args.id)
        case ("tenant", "delete"):
            if not args.yes:
                raise UsageError("tenant delete removes every subscriber and bot: add --yes")
            return lambda s: operator.tenant_delete(s, args.id)
        case ("group", "add"):
            return lambda s: operator.group_add(
                s, args.tenant, args.group_id, args.name, args.notify
            )
        case ("group", "set"):
            return lambda s: operator.group_set(s, args.tenant, args.group_id, args.escalation_chat)
        case ("group", "list"):
            return lambda s: operator.group_list(s, args.tenant)
        case ("ami", "add"):
            return lambda s: operator.ami_add(
                s, args.tenant, args.host, args.port, args.username, args.secret, args.tls,
                did_groups=dict(args.did_group), contexts=tuple(args.context),
                tls_ca=args.tls_ca, dial=args.dial, dial_tech=args.dial_tech,
                dial_context=args.dial_context, dial_app=args.dial_app,
                dial_data=args.dial_data,
            )  # fmt: skip
        case ("ami", "list"):
            return operator.ami_list
        case ("ami", "remove"):
            return lambda s: operator.ami_remove(s, args.id)
    raise UsageError(f"unknown command {args.cmd}")


async def _run_store_command(settings: Settings, command: Command) -> operator.Result:
    async with open_store(settings) as store:
        return await command(store)


def _emit(result: operator.Result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(result.lines))


def _fail(message: str, code: int, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    print(f"perezvon: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
        settings = load()
        # Operator commands print results; only the service narrates at INFO.
        quiet = args.cmd not in ("run", "sandbox") and settings.log_level != "DEBUG"
        logs.setup("WARNING" if quiet else settings.log_level)
        if args.cmd == "run":
            from perezvon.service import run_service

            return run_service(settings, args.role)
        if args.cmd == "sandbox":
            from perezvon.sandbox import open_sandbox

            return open_sandbox(settings, args.url)
        result = asyncio.run(_run_store_command(settings, _store_command(args, settings)))
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    except InvalidInput as exc:
        # A value the store refused before writing anything: the command line's mistake.
        return _fail(str(exc), EXIT_USAGE, as_json)
    except (StoreError, RedisUnavailable) as exc:
        return _fail(str(exc), EXIT_FAILURE, as_json)
    except KeyboardInterrupt:
        return 130
    _emit(result, as_json)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
