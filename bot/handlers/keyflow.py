"""The shared path of every command that carries an API key: /activate, /mute, /active."""

from __future__ import annotations

import enum
import math

from telegram import Chat, Update

from bot.context import Ctx
from bot.handlers.common import (
    delete_quietly,
    is_group_admin,
    send,
    subscriber_name,
    text,
    user_lang,
)
from perezvon.texts import pick_lang
from store.crypto import API_KEY_PREFIX, looks_like_api_key
from store.errors import DisabledByAdmin, NotFound
from store.models import Tenant

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
    await send(update, ctx, "\n\n".join(text(ctx, lang, k, **v) for k, v in answer))


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
        if tenant is not None:
            return pick_lang(tenant.lang, lang), await _act(update, ctx, action, tenant)
        # A correct key later does not clear the count: it would reset a guesser's budget.
        until = await store.throttle.failure(chat_id)
        if until is None:
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
            return [("bot.activated", values), *await _custom_bot_hint(update, ctx, tenant)]
        if action is Action.MUTE:
            await store.subs.mute(tenant.id, chat_id)
            return [("bot.muted", values)]
        await store.subs.resume(tenant.id, chat_id)
        return [("bot.resumed", values)]
    except DisabledByAdmin:
        return [("bot.disabled", values)]
    except NotFound:
        return [("bot.not_subscribed", values)]


async def _custom_bot_hint(update: Update, ctx: Ctx, tenant: Tenant) -> Answer:
    """In a private chat: the tenant's own bot delivers only once the user started it."""
    store, chat = ctx.deps.store, update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:
        return []
    custom = await store.bots.active(tenant.id)
    if custom is None or custom.tg_id == ctx.deps.me.tg_id:
        return []
    if await store.started.has(custom.tg_id, chat.id):
        return []
    return [("bot.activated.use_custom", {"bot": custom.username})]
