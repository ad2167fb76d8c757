"""The operator's commands on access without the key: invites, ingest tokens, the audit log."""

from __future__ import annotations

from typing import Any

from perezvon.operator import Result, _when
from store import Store
from store.audit import SERVICE, Actor
from store.ingest_tokens import IngestToken
from store.invites import Invite


async def delivering_bot(store: Store, tid: str) -> str | None:
    """The username of the bot that delivers for the tenant: its active custom bot, else the
    default bot as the running service last identified it (None before its first start)."""
    custom = await store.bots.active(tid)
    if custom is not None:
        return custom.username
    return await store.default_bot.username()


def invite_link(username: str | None, code: str) -> str | None:
    return f"https://t.me/{username}?start={code}" if username else None


def _invite_row(inv: Invite, now: float) -> dict[str, Any]:
    if inv.revoked:
        state = "revoked"
    elif inv.uses_left <= 0:
        state = "used up"
    elif now >= inv.expires_at:
        state = "expired"
    else:
        state = "live"
    return {
        "id": inv.id,
        "group": inv.group,
        "uses_left": inv.uses_left,
        "uses": inv.uses,
        "expires_at": _when(inv.expires_at),
        "state": state,
        "created_at": _when(inv.created_at),
        "created_by": inv.created_by,
    }


async def invite_create(
    store: Store, tid: str, group: str | None, uses: int, hours: float, now: float
) -> Result:
    await store.tenants.get(tid)
    inv, code = await store.invites.create(tid, group=group, uses=uses, hours=hours, by="cli")
    bot = await delivering_bot(store, tid)
    link = invite_link(bot, code)
    await store.audit.record(tid, Actor.cli(), "invite.create", _invite_detail(inv))
    data = {**_invite_row(inv, now), "code": code, "link": link, "bot": bot}
    where = (
        f"Link: {link}"
        if link
        else "No link yet: the default bot's username is learnt at the service's first start. "
        f"Meanwhile the user sends /start {code} to the bot."
    )
    return Result(
        data,
        [
            f"Invite {inv.id} for tenant {tid}: {uses} use(s), until {_when(inv.expires_at)}"
            + (f", group {group}" if group else "")
            + ".",
            f"Code, shown only now: {code}",
            where,
        ],
    )


def _invite_detail(inv: Invite) -> str:
    return f"{inv.id} uses={inv.uses_left}" + (f" group={inv.group}" if inv.group else "")


async def invite_list(store: Store, tid: str, now: float) -> Result:
    await store.tenants.get(tid)
    rows = [_invite_row(inv, now) for inv in await store.invites.list(tid)]
    lines = [
        f"{r['id']}  {r['state']:<8} {r['uses']} used, {r['uses_left']} left, until "
        f"{r['expires_at']}" + (f", group {r['group']}" if r["group"] else "")
        for r in rows
    ] or [f"No invites: perezvon invite create {tid}"]
    return Result(rows, lines)


async def invite_revoke(store: Store, tid: str, ref: str, now: float) -> Result:
    await store.tenants.get(tid)
    inv = await store.invites.revoke(tid, ref)
    await store.audit.record(tid, Actor.cli(), "invite.revoke", inv.id)
    return Result(_invite_row(inv, now), [f"Invite {inv.id} revoked: its link no longer works."])


def _token_row(tok: IngestToken) -> dict[str, Any]:
    return {
        "name": tok.name,
        "prefix": tok.prefix,
        "revoked": tok.revoked,
        "created_at": _when(tok.created_at),
    }


async def token_create(store: Store, tid: str, name: str) -> Result:
    await store.tenants.get(tid)
    tok, token = await store.ingest_tokens.create(tid, name)
    await store.audit.record(tid, Actor.cli(), "token.create", name)
    return Result(
        {**_token_row(tok), "tenant": tid, "token": token},
        [
            f"Ingest token {name} for tenant {tid}, shown only now — put it in that PBX: {token}",
            "It can only post events (POST /v1/events); revoke: "
            f"perezvon token revoke {tid} {name}",
        ],
    )


async def token_list(store: Store, tid: str) -> Result:
    await store.tenants.get(tid)
    rows = [_token_row(t) for t in await store.ingest_tokens.list(tid)]
    lines = [
        f"{r['name']:<20} {r['prefix']:<10} {'revoked' if r['revoked'] else 'live'}  "
        f"created {r['created_at']}"
        for r in rows
    ] or [f"No ingest tokens: perezvon token create {tid} --name pbx1"]
    return Result(rows, lines)


async def token_revoke(store: Store, tid: str, name: str) -> Result:
    await store.tenants.get(tid)
    tok = await store.ingest_tokens.revoke(tid, name)
    await store.audit.record(tid, Actor.cli(), "token.revoke", name)
    return Result(
        {**_token_row(tok), "tenant": tid}, [f"Ingest token {name} revoked: it gets 401 now."]
    )


async def audit_list(store: Store, tid: str, limit: int) -> Result:
    if tid != SERVICE:
        await store.tenants.get(tid)
    entries = await store.audit.recent(tid, 0, limit)
    rows = [{**e.as_dict(), "when": _when(e.at)} for e in entries]
    lines = [
        f"{r['when']}  {r['name']}" + (f" ({r['user_id']})" if r["user_id"] else "")
        + f"  {r['action']}" + (f"  {r['detail']}" if r["detail"] else "")
        for r in rows
    ] or ["No admin actions recorded yet."]  # fmt: skip
    return Result(rows, lines)
