"""/start <invite code>: an invite link subscribes the chat, to the invite's group if it has
one, without the tenant's API key. A used-up, expired, revoked or unknown code is refused and
counts toward the same wrong-key throttle as /activate."""

from __future__ import annotations

import logging
import math

from telegram import Update

from bot.context import Ctx
from bot.handlers.common import (
    delete_quietly,
    is_group_admin,
    send,
    subscriber_name,
    text,
    user_lang,
)
from bot.handlers.keyflow import Answer, accepts, delivery_hint
from perezvon.texts import pick_lang
from store.errors import DisabledByAdmin, NotFound
from store.invites import Invite, Refused

log = logging.getLogger(__name__)

REFUSED = {
    Refused.UNKNOWN: "access.invite.unknown",
    Refused.USED_UP: "access.invite.used_up",
    Refused.EXPIRED: "access.invite.expired",
    Refused.REVOKED: "access.invite.revoked",
}


async def redeem(update: Update, ctx: Ctx, code: str) -> None:
    """Check who asks and how often, take one use of the code, then subscribe."""
    chat = update.effective_chat
    if chat is None:
        return
    # A multi-use code in a group chat would serve whoever reads it: it goes, like a key.
    await delete_quietly(update.effective_message)
    lang, answer = await _decide(update, ctx, code)
    await send(update, ctx, "\n\n".join(text(ctx, lang, k, **v) for k, v in answer))


async def _decide(update: Update, ctx: Ctx, code: str) -> tuple[str, Answer]:
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    lang = user_lang(update)
    admin = await is_group_admin(update, ctx)
    if admin is None:
        return lang, [("bot.group.admin_unknown", {})]
    if not admin:
        return lang, [("bot.group.admins_only", {})]
    store = ctx.deps.store
    until = await store.throttle.blocked_until(chat_id)
    if until is None:
        tid = await store.invites.tenant_of(code)
        # Another company's invite on a custom bot looks exactly like an unknown one.
        outcome: Invite | Refused = Refused.UNKNOWN
        if tid is not None and accepts(ctx.deps.me, tid):
            subscribed = await store.subs.find(tid, chat_id)
            # A chat already subscribed does not spend a use by tapping the link again.
            outcome = await store.invites.redeem(tid, code, consume=subscribed is None)
        if isinstance(outcome, Invite):
            try:
                tenant = await store.tenants.get(outcome.tenant_id)
            except NotFound:
                outcome = Refused.UNKNOWN
            else:
                return pick_lang(tenant.lang, lang), await _subscribe(update, ctx, outcome)
        until = await store.throttle.failure(chat_id)
        if until is None:
            return lang, [(REFUSED[outcome], {})]
    minutes = max(1, math.ceil((until - ctx.deps.clock()) / 60))
    return lang, [("bot.key.throttled", {"minutes": minutes})]


async def _subscribe(update: Update, ctx: Ctx, invite: Invite) -> Answer:
    store, chat = ctx.deps.store, update.effective_chat
    tid = invite.tenant_id
    tenant = await store.tenants.get(tid)
    values: dict[str, object] = {"tenant": tenant.name}
    name, username = subscriber_name(update)
    try:
        sub, previous = await store.subs.activate(tid, chat.id, name, username)  # type: ignore[union-attr]
    except DisabledByAdmin:
        return [("bot.disabled", values)]
    answer: Answer = [("bot.activated", values)]
    if invite.group is not None:
        if previous is None:
            await store.subs.set_groups(tid, sub.chat_id, frozenset({invite.group}))
        elif sub.groups is not None:
            await store.subs.set_groups(tid, sub.chat_id, sub.groups | {invite.group})
        group = await _group_name(ctx, tid, invite.group, pick_lang(tenant.lang))
        answer.append(("access.invite.group", {"group": group}))
    log.info("chat %s subscribed to tenant %s by invite %s", sub.chat_id, tid, invite.id)
    return [*answer, *await delivery_hint(ctx.deps, chat, tid)]  # type: ignore[arg-type]


async def _group_name(ctx: Ctx, tid: str, gid: str, lang: str) -> str:
    try:
        group = await ctx.deps.store.groups.get(tid, gid)
    except NotFound:
        return gid
    return group.name or (text(ctx, lang, "group.default_name") if gid == "default" else gid)
