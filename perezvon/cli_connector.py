"""`perezvon connector add|list|remove`: a tenant's cloud PBX webhooks (webhook_ingest/connectors).

Secrets go in as `--option KEY=VALUE` and are sealed at rest; `list` never shows them.
"""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from perezvon import operator
from perezvon.settings import Settings
from store import Store
from store.audit import Actor
from store.connectors import Connector
from store.errors import InvalidInput, NotFound
from webhook_ingest.connectors import COMMON_OPTIONS, REGISTRY

Command = Callable[[Store], Awaitable[operator.Result]]


def _option(value: str) -> tuple[str, str]:
    key, sep, val = value.partition("=")
    if not sep or not key.strip() or not val:
        raise argparse.ArgumentTypeError("must look like KEY=VALUE")
    return key.strip(), val


def add_parsers(sub: Any, json_flag: argparse.ArgumentParser, parser_class: type) -> None:
    """The `connector` command and its actions under the top-level subparsers."""
    conn = sub.add_parser("connector", help="cloud PBX webhooks of a tenant").add_subparsers(
        dest="action", required=True, parser_class=parser_class
    )
    add = conn.add_parser("add", parents=[json_flag], help="connect a cloud PBX; prints its URL")
    add.add_argument("tenant")
    add.add_argument("--vendor", required=True, choices=sorted(REGISTRY))
    add.add_argument(
        "--option", action="append", type=_option, default=[], metavar="KEY=VALUE",
        help="a vendor option (e.g. secret=...); allow_ip=NET is repeatable",
    )  # fmt: skip
    lst = conn.add_parser("list", parents=[json_flag], help="a tenant's connectors")
    lst.add_argument("tenant")
    rm = conn.add_parser("remove", parents=[json_flag], help="remove a connector")
    rm.add_argument("id")


def hook_url(settings: Settings, c: Connector) -> str:
    base = str(settings.public_url).rstrip("/") if settings.public_url else None
    base = base or f"http://{settings.ingest_host}:{settings.ingest_port}"
    return f"{base}/v1/hooks/{c.vendor}/{c.id}"


def _split(vendor: str, pairs: list[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    spec = REGISTRY[vendor]
    options: dict[str, str] = {}
    allow: list[str] = []
    for key, value in pairs:
        if key == "allow_ip":
            try:
                allow.append(str(ipaddress.ip_network(value, strict=False)))
            except ValueError:
                raise InvalidInput(f"allow_ip {value!r} is not an address or network") from None
        elif key in spec.options:
            options[key] = value
        else:
            known = ", ".join((*spec.options, *COMMON_OPTIONS))
            raise InvalidInput(f"{vendor} has no option {key!r} (options: {known})")
    missing = [name for name in spec.required if name not in options]
    if missing:
        raise InvalidInput(f"{vendor} needs --option " + " ".join(f"{m}=..." for m in missing))
    return options, allow


def _when(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if ts else None


async def _row(store: Store, settings: Settings, c: Connector) -> dict[str, Any]:
    st = await store.connectors.status(c)
    return {
        "id": c.id,
        "tenant": c.tenant_id,
        "vendor": c.vendor,
        "url": hook_url(settings, c),
        "allow_ip": list(c.allow_ip),
        "last_event": st.last_event,
        "last_event_at": _when(st.last_event_at),
        "last_rejected": st.last_rejected,
        "last_rejected_at": _when(st.last_rejected_at),
    }


def command(args: argparse.Namespace, settings: Settings) -> Command | None:
    """The store operation of a `connector` command line, or None for any other."""
    if args.cmd != "connector":
        return None
    if args.action == "add":
        options, allow = _split(args.vendor, args.option)

        async def add(store: Store) -> operator.Result:
            c = await store.connectors.add(
                args.tenant, args.vendor, options,
                secret_names=REGISTRY[args.vendor].secrets, allow_ip=allow,
            )  # fmt: skip
            await store.audit.record(
                c.tenant_id, Actor.cli(), "connector.add", f"{c.vendor} {c.id[:6]}"
            )
            row = await _row(store, settings, c)
            lines = [f"Connector {c.id} ({c.vendor}) added for tenant {c.tenant_id}.",
                     f"Paste this URL into the vendor's cabinet: {row['url']}"]  # fmt: skip
            return operator.Result(row, lines)

        return add
    if args.action == "list":

        async def list_(store: Store) -> operator.Result:
            rows = [
                await _row(store, settings, c) for c in await store.connectors.list(args.tenant)
            ]
            lines = [
                f"{r['id']}  {r['vendor']:<9} last event {r['last_event_at'] or 'never'}"
                + (f"; rejected {r['last_rejected_at']}: {r['last_rejected']}"
                   if r["last_rejected_at"] else "")
                for r in rows
            ] or [f"No connectors: perezvon connector add {args.tenant} --vendor NAME"]  # fmt: skip
            return operator.Result(rows, lines)

        return list_

    async def remove(store: Store) -> operator.Result:
        try:
            c = await store.connectors.get(args.id)
        except NotFound:
            raise NotFound(f"no connector {args.id}") from None
        await store.connectors.remove(c.id)
        await store.audit.record(c.tenant_id, Actor.cli(), "connector.remove", c.id[:6])
        return operator.Result({"id": args.id, "removed": True}, [f"Connector {args.id} removed."])

    return remove
