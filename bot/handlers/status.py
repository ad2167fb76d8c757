"""/status: every subscription of this chat, its status, since when, groups and delivering bot,
and the chat id an admin needs to add this chat."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers.common import send, text, user_lang
from perezvon.texts import pick_lang
from store.errors import NotFound
from store.models import DEFAULT_GROUP, Subscription, SubStatus, Tenant

COMMANDS = (Command("status", "bot.cmd.status", "bot.help.status"),)


async def status(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    rows = await _subscriptions(ctx, chat.id)
    langs = {tenant.lang for tenant, _ in rows}
    lang = pick_lang(langs.pop()) if len(langs) == 1 else user_lang(update)
    if not rows:
        return await send(update, ctx, text(ctx, lang, "chat.status.none", chat=chat.id))
    items = [text(ctx, lang, "bot.status.header")]
    for tenant, sub in rows:
        items.append(await _item(ctx, lang, tenant, sub))
    items.append(text(ctx, lang, "chat.status.chat_id", chat=chat.id))
    await send(update, ctx, "\n\n".join(items))


async def _subscriptions(ctx: Ctx, chat_id: int) -> list[tuple[Tenant, Subscription]]:
    store = ctx.deps.store
    rows = []
    for tid in await store.subs.tenants_of_chat(chat_id):
        sub = await store.subs.find(tid, chat_id)
        try:
            tenant = await store.tenants.get(tid)
        except NotFound:
            continue
        if sub is not None:
            rows.append((tenant, sub))
    return rows


async def _item(ctx: Ctx, lang: str, tenant: Tenant, sub: Subscription) -> str:
    since = datetime.fromtimestamp(sub.status_changed_at, ZoneInfo(tenant.tz))
    item = text(
        ctx,
        lang,
        "bot.status.item",
        tenant=tenant.name,
        status=text(ctx, lang, f"status.{sub.status.value}"),
        since=since.strftime(text(ctx, lang, "bot.datetime")),
        groups=await _groups(ctx, lang, tenant, sub),
        bot=await _delivering_bot(ctx, lang, tenant, sub.chat_id),
    )
    if sub.status is SubStatus.MUTED:
        # Paused by this chat (/stop or /mute): /resume needs no key.
        item += "\n" + text(ctx, lang, "chat.status.resume_hint")
    return item


async def _groups(ctx: Ctx, lang: str, tenant: Tenant, sub: Subscription) -> str:
    if sub.groups is None:
        return text(ctx, lang, "bot.status.all_groups")
    names = []
    for gid in sorted(sub.groups):
        try:
            group = await ctx.deps.store.groups.get(tenant.id, gid)
        except NotFound:
            continue
        default = text(ctx, lang, "group.default_name") if gid == DEFAULT_GROUP else gid
        names.append(group.name or default)
    return ", ".join(names) or text(ctx, lang, "bot.status.no_groups")


async def _delivering_bot(ctx: Ctx, lang: str, tenant: Tenant, chat_id: int) -> str:
    """The tenant's active custom bot if this chat started it, else the default bot."""
    store, default = ctx.deps.store, ctx.deps.default
    custom = await store.bots.active(tenant.id)
    if custom is None:
        return f"@{default.username}"
    if await store.started.has(custom.tg_id, chat_id):
        return f"@{custom.username}"
    return text(
        ctx, lang, "bot.status.start_custom", default=default.username, custom=custom.username
    )


def handlers() -> list[BaseHandler]:
    return [CommandHandler("status", status, filters=filters.UpdateType.MESSAGE)]
