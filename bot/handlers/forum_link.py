"""/start <code> in a group: the bot was added to a forum with a «Тема в форуме» link
(t.me/<bot>?startgroup=<code>); the group the code names is bound to this forum when the chat
has topics and the bot may manage them. Answered in the forum, and the admin hears in private.

A failed check leaves the code usable (fix the chat, open the link again); binding uses it up.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberAdministrator, Update
from telegram.error import TelegramError

from bot.context import Ctx
from bot.handlers.common import send, text
from store.audit import Actor
from store.errors import InvalidInput, NotFound
from store.models import DEFAULT_GROUP
from store.topics import ForumCode, code_tenant

log = logging.getLogger(__name__)

GROUP_TYPES = ("group", "supergroup")


def looks_like_forum_code(update: Update, payload: str) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in GROUP_TYPES and code_tenant(payload) is not None


async def _manages_topics(ctx: Ctx, chat_id: int) -> bool:
    try:
        member = await ctx.bot.get_chat_member(chat_id, ctx.bot.id)
    except TelegramError as exc:
        log.info("getChatMember on itself in %s failed: %s", chat_id, exc)
        return False
    return (
        member.status == ChatMember.ADMINISTRATOR
        and isinstance(member, ChatMemberAdministrator)
        and bool(member.can_manage_topics)
    )


async def redeem(update: Update, ctx: Ctx, payload: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    store, me = ctx.deps.store, ctx.deps.me
    code = await store.topics.peek_code(payload)
    if code is None or not (me.is_default or me.tenant_id == code.tenant):
        lang = update.effective_user.language_code if update.effective_user else None
        await send(update, ctx, text(ctx, lang or "ru", "forum.bind.code_gone"))
        return
    title = chat.title or str(chat.id)
    problem = None
    if not chat.is_forum:
        problem = "forum.bind.not_forum"
    elif not await _manages_topics(ctx, chat.id):
        problem = "forum.bind.no_right"
    if problem is None:
        taken = await store.topics.take_code(payload)
        if taken is None:
            problem = "forum.bind.code_gone"
        else:
            try:
                await store.topics.bind(taken.tenant, taken.group, chat.id, title)
            except (NotFound, InvalidInput):
                problem = "forum.bind.code_gone"  # the group is gone since the link was made
    group = await _group_name(ctx, code)
    if problem is not None:
        reason = text(ctx, code.lang, problem)
        await send(update, ctx, reason)
        await _tell_admin(
            ctx, code, "forum.bind.admin_failed", group=group, title=title, reason=reason
        )
        return
    user = update.effective_user
    who = Actor(user.id, user.full_name) if user else Actor(None, "?")
    await store.audit.record(code.tenant, who, "group.forum", f"{group}: {chat.id} ({title})")
    try:
        company = (await store.tenants.get(code.tenant)).name
    except NotFound:
        company = ""
    await send(update, ctx, text(ctx, code.lang, "forum.bind.done", group=group, company=company))
    await _tell_admin(ctx, code, "forum.bind.admin_done", group=group, title=title)


async def _group_name(ctx: Ctx, code: ForumCode) -> str:
    try:
        name = (await ctx.deps.store.groups.get(code.tenant, code.group)).name
    except NotFound:
        name = ""
    if name:
        return name
    return text(ctx, code.lang, "group.default_name") if code.group == DEFAULT_GROUP else code.group


async def _tell_admin(ctx: Ctx, code: ForumCode, key: str, **values: object) -> None:
    try:
        await ctx.bot.send_message(code.admin_chat, text(ctx, code.lang, key, **values))
    except TelegramError as exc:  # the admin may have blocked the bot meanwhile
        log.info("could not tell admin %s about the forum: %s", code.admin_chat, exc)
