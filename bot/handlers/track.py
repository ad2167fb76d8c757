"""Group -1, every update: remember that this chat started this bot (so it may write back).

Also: a chat that leaves or blocks the bot is forgotten (delivery then picks a bot the chat
did start; a forum no bot of a tenant is left in is unbound from its groups), a chat that
writes again gets its «unreachable» subscriptions back, and a group upgraded to a supergroup
takes its subscriptions along.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from telegram import Chat, ChatMember, Update
from telegram.ext import BaseHandler, TypeHandler

from bot.context import Ctx
from delivery.forum_lost import forget_forum
from delivery.outbox import Outbox
from store.errors import StoreError
from store.models import SubStatus

log = logging.getLogger(__name__)

GONE = (ChatMember.LEFT, ChatMember.BANNED)


async def track(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await _track(update, ctx, chat.id)
    except (RedisError, StoreError) as exc:
        # Bookkeeping only: the handler that answers the user reports its own failure.
        log.warning("could not record chat %s for bot %s: %r", chat.id, ctx.deps.me.tg_id, exc)


async def _track(update: Update, ctx: Ctx, chat_id: int) -> None:
    store, me = ctx.deps.store, ctx.deps.me.tg_id
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status in GONE:
        await store.started.forget(me, chat_id)
        chat = member.chat
        if chat.type == Chat.SUPERGROUP:  # a forum its groups' cards went to, maybe
            outbox = Outbox(store)
            default = ctx.deps.default.tg_id
            title = chat.title or ""
            await forget_forum(store, ctx.deps.texts, outbox, default, chat_id, title)
        return
    await store.started.mark(me, chat_id)
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id:
        new_id = message.migrate_to_chat_id
        for tid in await store.subs.tenants_of_chat(chat_id):
            await store.subs.move_chat(tid, chat_id, new_id)
        await store.started.mark(me, new_id)
        return
    await _revive(ctx, chat_id)


async def _revive(ctx: Ctx, chat_id: int) -> None:
    """The chat reached us, so it is reachable again: undo «unreachable» (never «disabled»)."""
    store = ctx.deps.store
    for tid in await store.subs.tenants_of_chat(chat_id):
        sub = await store.subs.find(tid, chat_id)
        if sub is not None and sub.status is SubStatus.UNREACHABLE:
            try:
                await store.subs.resume(tid, chat_id)
            except StoreError:
                continue
            log.info("chat %s of tenant %s is reachable again", chat_id, tid)


def handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, track)]
