"""`perezvon invite ...`, `perezvon token ...`, `perezvon audit TENANT`: access without the
key, and the audit entry every tenant-changing command line leaves ("who" is "cli")."""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable
from typing import Any

from perezvon import operator, operator_access
from store import Store
from store.audit import Actor

Command = Callable[[Store], Awaitable[operator.Result]]

# (command, action) of the other tenant-changing command lines -> (tenant argument, action)
AUDITED = {
    ("tenant", "set"): ("id", "tenant.set"),
    ("tenant", "rotate-key"): ("id", "key.rotate"),
    ("group", "add"): ("tenant", "group.set"),
}


def _positive(kind: type) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, not {value!r}") from None
        if number <= 0:
            raise argparse.ArgumentTypeError("must be more than 0")
        return number

    return parse


def add_parsers(sub: Any, json_flag: argparse.ArgumentParser, parser_class: type) -> None:
    invite = sub.add_parser("invite", help="invite links that subscribe without the key")
    actions = invite.add_subparsers(dest="action", required=True, parser_class=parser_class)
    create = actions.add_parser("create", parents=[json_flag], help="a new link (shown once)")
    create.add_argument("tenant")
    create.add_argument("--group", default=None, help="subscribe to this group only")
    create.add_argument("--uses", type=_positive(int), default=1, help="default 1")
    create.add_argument(
        "--expires", type=_positive(float), default=168.0, metavar="HOURS", help="default 168"
    )
    actions.add_parser("list", parents=[json_flag], help="a tenant's invites").add_argument(
        "tenant"
    )
    revoke = actions.add_parser("revoke", parents=[json_flag], help="the link stops working")
    revoke.add_argument("tenant")
    revoke.add_argument("code", help="the code, or the invite's id from `invite list`")

    token = sub.add_parser("token", help="ingest tokens, one per PBX")
    tactions = token.add_subparsers(dest="action", required=True, parser_class=parser_class)
    tcreate = tactions.add_parser("create", parents=[json_flag], help="a new token (shown once)")
    tcreate.add_argument("tenant")
    tcreate.add_argument("--name", required=True, help="which PBX holds it, e.g. pbx1")
    tactions.add_parser("list", parents=[json_flag], help="a tenant's tokens").add_argument(
        "tenant"
    )
    trevoke = tactions.add_parser("revoke", parents=[json_flag], help="the token gets 401")
    trevoke.add_argument("tenant")
    trevoke.add_argument("name")

    audit = sub.add_parser("audit", parents=[json_flag], help="a tenant's admin actions")
    audit.add_argument("tenant", help="a tenant, or `service` (the default bot's pace)")
    audit.add_argument("--limit", type=_positive(int), default=100, help="default 100")


def command(args: argparse.Namespace) -> Command | None:
    """The store operation of an access command line, or None for any other."""
    now = time.time()
    match (args.cmd, getattr(args, "action", None)):
        case ("invite", "create"):
            return lambda s: operator_access.invite_create(
                s, args.tenant, args.group, args.uses, args.expires, now
            )
        case ("invite", "list"):
            return lambda s: operator_access.invite_list(s, args.tenant, now)
        case ("invite", "revoke"):
            return lambda s: operator_access.invite_revoke(s, args.tenant, args.code, now)
        case ("token", "create"):
            return lambda s: operator_access.token_create(s, args.tenant, args.name)
        case ("token", "list"):
            return lambda s: operator_access.token_list(s, args.tenant)
        case ("token", "revoke"):
            return lambda s: operator_access.token_revoke(s, args.tenant, args.name)
        case ("audit", None):
            return lambda s: operator_access.audit_list(s, args.tenant, args.limit)
    return None


def audited(args: argparse.Namespace, run: Command) -> Command:
    """`run`, followed by its audit entry when it is one of the AUDITED command lines."""
    found = AUDITED.get((args.cmd, getattr(args, "action", None)))
    if found is None:
        return run
    tenant_arg, action = found

    async def wrapped(store: Store) -> operator.Result:
        result = await run(store)
        detail = " ".join(
            f"{k}={v}"
            for k, v in vars(args).items()
            if k not in ("cmd", "action", "json", tenant_arg) and v not in (None, "")
        )
        await store.audit.record(getattr(args, tenant_arg), Actor.cli(), action, detail)
        return result

    return wrapped
