"""A forum that no bot of the tenant is in any more: its groups are unbound from it (their
cards go to private chats only again) and the tenant's admins are told, once per tenant.

Called when a bot learns it was removed from a supergroup (bot/handlers/track.py) and when a
forum card finds no bot that may still write there (delivery/sender.py). On removal, a tenant
keeps the binding while another of its bots (the default bot or its active custom bot) is
known to be in the forum: the router delivers through that one."""

from __future__ import annotations

import html
import logging

from delivery.outbox import Outbox
from perezvon.texts import Catalogue
from store import Store
from store.errors import NotFound
from store.models import DEFAULT_GROUP

log = logging.getLogger(__name__)


async def forget_forum(
    store: Store,
    catalogue: Catalogue,
    outbox: Outbox,
    default_bot: int,
    chat_id: int,
    title: str = "",
    only: tuple[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Unbind the groups bound to `chat_id` whose tenant has no bot left there; returns the
    (tenant, group) pairs unbound. With `only`, just that (tenant, group), and without asking:
    delivery already tried every bot the tenant has."""
    bound = await store.topics.bound_to(chat_id)
    if only is not None:
        bound = [pair for pair in bound if pair == only]
    unbound: dict[str, list[str]] = {}
    titles = {}
    for tid, gid in bound:
        binding = await store.topics.binding(tid, gid)
        titles[tid] = title or (binding.title if binding else "")
        if only is None and await _tenant_still_there(store, default_bot, tid, chat_id):
            continue
        if await store.topics.unbind_if(tid, gid, chat_id):
            unbound.setdefault(tid, []).append(gid)
    for tid, gids in unbound.items():
        log.info("tenant %s: no bot left in forum %s; unbound %s", tid, chat_id, ",".join(gids))
        await _tell(store, catalogue, outbox, tid, gids, titles[tid] or str(chat_id))
    return [(tid, gid) for tid, gids in unbound.items() for gid in gids]


async def _tenant_still_there(store: Store, default_bot: int, tid: str, chat_id: int) -> bool:
    bots = [default_bot]
    custom = await store.bots.active(tid)
    if custom is not None:
        bots.append(custom.tg_id)
    flags = await store.started.has_each([(bot, chat_id) for bot in bots])
    return any(flags)


async def _tell(
    store: Store, catalogue: Catalogue, outbox: Outbox, tid: str, gids: list[str], title: str
) -> None:
    try:
        tenant = await store.tenants.get(tid)
    except NotFound:
        return
    names = []
    for gid in gids:
        try:
            name = (await store.groups.get(tid, gid)).name
        except NotFound:
            name = ""
        if not name:
            name = catalogue.t(tenant.lang, "group.default_name") if gid == DEFAULT_GROUP else gid
        escaped = html.escape(name, quote=False)
        names.append(catalogue.t(tenant.lang, "forum.lost.group", name=escaped))
    text = catalogue.t(
        tenant.lang,
        "forum.lost.admin",
        title=html.escape(title, quote=False),
        groups=", ".join(names),
    )
    await outbox.admins(tid, text)
