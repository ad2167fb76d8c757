"""The operator's commands on tenants, groups and AMI links; each returns a printable result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from delivery.pacing import BotPace
from store import Store
from store.errors import NotFound
from store.models import DEFAULT_GROUP, AmiLink, Tenant


@dataclass
class Result:
    """What a command produced: a JSON document and the lines a person reads."""

    data: Any
    lines: list[str] = field(default_factory=list)


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _on_off(flag: bool) -> str:
    return "on" if flag else "off"


def _settings(tenant: Tenant) -> dict[str, Any]:
    """A tenant's settings as `tenant list --json` and `tenant set --json` show them."""
    return {
        "id": tenant.id,
        "name": tenant.name,
        "tz": tenant.tz,
        "lang": tenant.lang,
        "key_prefix": tenant.key_prefix,
        "new_groups": tenant.new_groups,
        "key_activation": tenant.key_activation,
        "escalate_after": tenant.escalate_after,
        "callback_window": tenant.callback_window,
    }


async def tenant_create(
    store: Store, name: str, tz: str, lang: str, new_groups: bool = True
) -> Result:
    tenant, api_key = await store.tenants.create(name, tz, lang, new_groups=new_groups)
    data = {**_settings(tenant), "api_key": api_key}
    return Result(
        data,
        [
            f"Tenant {tenant.id} «{tenant.name}» created ({tenant.tz}, {tenant.lang}; "
            f"groups the PBX names notify: {_on_off(tenant.new_groups)}).",
            f"API key, shown only now — hand it to the tenant's admin: {api_key}",
        ],
    )


async def tenant_set(store: Store, tid: str, **changes: Any) -> Result:
    """Change the given settings of a tenant (store.tenants.set_options validates them)."""
    tenant = await store.tenants.set_options(tid, **changes)
    data = _settings(tenant)
    shown = ", ".join(
        f"{name}={_on_off(data[name]) if isinstance(data[name], bool) else data[name]}"
        for name in changes
    )
    return Result(data, [f"Tenant {tenant.id} «{tenant.name}»: {shown}."])


async def tenant_list(store: Store) -> Result:
    rows = []
    offset = 0
    while page := await store.tenants.list(offset, 500):
        for t in page:
            rows.append(
                {
                    **_settings(t),
                    "subscribers": await store.subs.count(t.id),
                    "weekly_report": await store.weekly.due_at(t.id) is not None,
                    "created_at": _when(t.created_at),
                }
            )
        offset += len(page)
    lines = [
        f"{r['id']:>5}  {r['name']:<30} {r['tz']:<20} {r['lang']}  {r['key_prefix']:<10} "
        f"{r['subscribers']} subscribers, new groups {_on_off(r['new_groups'])}"
        for r in rows
    ] or ["No tenants yet: perezvon tenant create --name NAME"]
    return Result(rows, lines)


async def tenant_rotate_key(store: Store, tid: str) -> Result:
    tenant, api_key, ended = await store.rotate_key(tid)
    return Result(
        {"id": tenant.id, "api_key": api_key, "key_prefix": tenant.key_prefix,
         "admin_sessions_ended": len(ended)},
        [
            f"Tenant {tenant.id}: new API key, shown only now: {api_key}",
            f"The old key no longer works; {len(ended)} admin session(s) ended.",
        ],
    )  # fmt: skip


async def tenant_delete(store: Store, tid: str) -> Result:
    # Paces first: a bot deleted with its tenant never keeps a paid rate for whoever adds it
    # next (a crash in between leaves the tenant, its bots merely at the default rate).
    paces = BotPace.of(store)
    for bot in await store.bots.list(tid):
        await paces.clear(bot.tg_id)
    await store.delete_tenant(tid)
    return Result({"id": tid, "deleted": True}, [f"Tenant {tid} and all its data deleted."])


async def group_add(store: Store, tid: str, gid: str, name: str, notify: bool) -> Result:
    await store.tenants.get(tid)
    group, created = await store.groups.ensure(tid, gid, name, notify=notify)
    if not created:
        if name:
            group = await store.groups.rename(tid, gid, name)
        group, _ = await store.groups.set_notify(tid, gid, notify)
    verb = "added" if created else "updated"
    return Result(
        {"tenant": tid, "id": group.id, "name": group.name, "notify": group.notify,
         "created": created},
        [f"Group {group.id} {verb}: notify {'on' if group.notify else 'off'}."],
    )  # fmt: skip


async def group_set(store: Store, tid: str, gid: str, escalation_chat: int) -> Result:
    await store.tenants.get(tid)
    group = await store.groups.set_escalation_chat(tid, gid, escalation_chat)
    chat = group.escalation_chat
    return Result(
        {"tenant": tid, "id": group.id, "escalation_chat": chat or None},
        [f"Group {group.id}: escalations also go to chat {chat}." if chat
         else f"Group {group.id}: escalations go to the admins only."],
    )  # fmt: skip


async def group_list(store: Store, tid: str) -> Result:
    await store.tenants.get(tid)
    rows, offset = [], 0
    while page := await store.groups.list(tid, offset, 500):
        rows += [
            {"id": g.id, "name": g.name, "notify": g.notify,
             "escalation_chat": g.escalation_chat or None}
            for g in page
        ]  # fmt: skip
        offset += len(page)
    lines = [
        f"{r['id']:<20} {'on ' if r['notify'] else 'off'}  {r['name']}"
        + ("  (default)" if r["id"] == DEFAULT_GROUP else "")
        for r in rows
    ]
    return Result(rows, lines)


def _ami_row(link: AmiLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "tenant": link.tenant_id,
        "host": link.host,
        "port": link.port,
        "username": link.username,
        "tls": link.tls,
        "tls_ca": link.tls_ca,
        "did_groups": link.did_groups or {},
        "contexts": list(link.contexts),
        "dial": link.dial,
    }


async def ami_add(
    store: Store,
    tid: str,
    host: str,
    port: int,
    username: str,
    secret: str,
    tls: bool,
    **options: Any,
) -> Result:
    link = await store.ami.add(tid, host, port, username, secret, tls, **options)
    return Result(
        _ami_row(link),
        [f"AMI link {link.id} added for tenant {tid}: {username}@{host}:{port}"
         + (" (TLS)" if tls else "") + "; `perezvon run` connects to it."],
    )  # fmt: skip


async def ami_list(store: Store) -> Result:
    rows = [_ami_row(a) for a in await store.ami.list()]
    lines = [
        f"{r['id']:>4}  tenant {r['tenant']:<5} {r['username']}@{r['host']}:{r['port']}"
        + (" TLS" if r["tls"] else "")
        + (" dial" if r["dial"] else "")
        for r in rows
    ] or ["No AMI links: perezvon ami add TENANT --host H --port P --username U --secret S"]
    return Result(rows, lines)


async def ami_remove(store: Store, aid: str) -> Result:
    if not await store.ami.remove(aid):
        raise NotFound(f"no AMI link {aid}")
    return Result({"id": aid, "removed": True}, [f"AMI link {aid} removed."])
