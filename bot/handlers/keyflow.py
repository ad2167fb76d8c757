"""The shared path of every command that carries an API key: /activate, /mute, /active."""

from __future__ import annotations

import enum
import html
import math

from telegram import Chat, Update

from bot.context import BotDeps, BotRef, Ctx
from bot.handlers.common import (
    delete_quietly,
    is_group_admin,
    send,
    subscriber_name,
    text,
    user_lang,
)
from delivery.outbox import Once, Outbox
from perezvon.texts import pick_lang
from store import keys as store_keys
from store.crypto import API_KEY_PREFIX, looks_like_api_key
from store.errors import DisabledByAdmin, NotFound
from store.models import Tenant

LEAK_TOLD_TTL = 86_400  # the admins hear of a key left in one group at most once a day

# An answer is a list of paragraphs, each a text key with its values.
Answer = list[tuple[str, dict[str, object]]]


class Action(enum.StrEnum):
    """What the key is for; the value is the command the user typed (for the help texts)."""

    ACTIVATE = "activate"
    MUTE = "mute"
    RESUME = "active"


async def run(update: Update, ctx: Ctx, action: Action, key: str | None) -> None:
    """Delete the key message, check who asks and how often, resolve the key, then act."""
    chat = update.effective_chat
    if chat is None:
        return
    deleted = key is not None and await delete_quietly(update.effective_message)
    lang, answer = await _decide(update, ctx, action, key)
    if deleted:
        answer.append(("bot.key.deleted", {}))
    elif key is not None and chat.type != Chat.PRIVATE and looks_like_api_key(key):
        # The bot may not delete messages here: everyone in the group can read the key.
        answer.append(("secrets.key.visible_in_group", {}))
        await _tell_admins_of_leak(ctx, chat, key)
    await send(update, ctx, "\n\n".join(text(ctx, lang, k, **v) for k, v in answer))


async def _tell_admins_of_leak(ctx: Ctx, chat: Chat, key: str) -> None:
    """Ask the key's tenant admins to replace it; once a day per group."""
    tenant = await ctx.deps.store.tenants.resolve_key(key)
    if tenant is None:
        return
    notice = text(
        ctx,
        tenant.lang,
        "secrets.key.leaked_admins",
        tenant=html.escape(tenant.name, quote=False),
        chat=html.escape(chat.title or str(chat.id), quote=False),
    )
    once = Once(store_keys.key_leak(tenant.id, chat.id), LEAK_TOLD_TTL)
    await Outbox(ctx.deps.store).admins(tenant.id, notice, once=once)


async def _decide(update: Update, ctx: Ctx, action: Action, key: str | None) -> tuple[str, Answer]:
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    lang = user_lang(update)
    admin = await is_group_admin(update, ctx)
    if admin is None:
        return lang, [("bot.group.admin_unknown", {})]
    if not admin:
        return lang, [("bot.group.admins_only", {})]
    if key is None:
        return lang, [("bot.key.missing", {"command": action.value})]

    store = ctx.deps.store
    until = await store.throttle.blocked_until(chat_id)
    if until is None:
        tenant = await store.tenants.resolve_key(key) if looks_like_api_key(key) else None
        if tenant is not None and accepts(ctx.deps.me, tenant.id):
            if action is Action.ACTIVATE and not tenant.key_activation:
                # The tenant's admin switched this off: only invite links subscribe.
                off = [("access.key_activation.off", {"tenant": tenant.name})]
                return pick_lang(tenant.lang, lang), off
            return pick_lang(tenant.lang, lang), await _act(update, ctx, action, tenant)
        # A correct key later does not clear the count: it would reset a guesser's budget.
        # Another company's key on a custom bot counts too: it must look like a wrong one.
        until = await store.throttle.failure(chat_id)
        if until is None:
            if not ctx.deps.me.is_default and looks_like_api_key(key):
                return lang, [("bot.key.not_this_bot", {"bot": ctx.deps.default.username})]
            wrong = "bot.key.unknown" if looks_like_api_key(key) else "bot.key.malformed"
            return lang, [(wrong, {"command": action.value, "prefix": API_KEY_PREFIX})]
    minutes = max(1, math.ceil((until - ctx.deps.clock()) / 60))
    return lang, [("bot.key.throttled", {"minutes": minutes})]


async def _act(update: Update, ctx: Ctx, action: Action, tenant: Tenant) -> Answer:
    store, chat_id = ctx.deps.store, update.effective_chat.id  # type: ignore[union-attr]
    values: dict[str, object] = {"tenant": tenant.name}
    try:
        if action is Action.ACTIVATE:
            name, username = subscriber_name(update)
            await store.subs.activate(tenant.id, chat_id, name, username)
            hint = await delivery_hint(ctx.deps, update.effective_chat, tenant.id)  # type: ignore[arg-type]
            return [("bot.activated", values), *hint]
        if action is Action.MUTE:
            await store.subs.mute(tenant.id, chat_id)
            return [("bot.muted", values)]
        await store.subs.resume(tenant.id, chat_id)
        return [("bot.resumed", values)]
    except DisabledByAdmin:
        return [("bot.disabled", values)]
    except NotFound:
        return [("bot.not_subscribed", values)]


async def delivery_hint(deps: BotDeps, chat: Chat, tid: str) -> Answer:
    """What the chat must still do to receive the tenant's notifications.

    Only the tenant's active custom bot or the default bot deliver, and only to a chat that
    started one of them: if it started neither, start the default bot (a deep link); in a
    private chat that started the default bot but not the custom one, start the custom one.
    """
    store, default = deps.store, deps.default
    custom = await store.bots.active(tid)
    started_default = await store.started.has(default.tg_id, chat.id)
    started_custom = custom is not None and await store.started.has(custom.tg_id, chat.id)
    if not started_default and not started_custom:
        return [("bot.activated.start_default", {"bot": default.username})]
    if chat.type != Chat.PRIVATE or custom is None or started_custom:
        return []
    if custom.tg_id == deps.me.tg_id:
        return []
    return [("bot.activated.use_custom", {"bot": custom.username})]


def accepts(me: BotRef, tid: str) -> bool:
    """The default bot takes every tenant's key; a tenant's own bot only that tenant's.

    Whoever holds a custom bot's token can read what is typed to it, so another tenant's key
    typed there would hand that tenant over to the bot's owner.
    """
    return me.is_default or me.tenant_id == tid
