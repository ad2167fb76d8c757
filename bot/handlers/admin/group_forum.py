"""«Тема в форуме»: bind a group to a forum supergroup the way Telegram bots do it — a
one-time code in a t.me/<bot>?startgroup=<code>&admin=manage_topics link (the bot is added
with it, and /start <code> in the forum binds: bot/handlers/forum_link.py) — and «Отвязать»."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Ctx
from bot.handlers.admin import journal
from bot.handlers.admin.group_card import back_row
from bot.handlers.admin.shared import Screen, Session, find_group, group_name, show, tr
from bot.keyboards import admin as kb
from bot.keyboards import admin_group as gkb

# Asks Telegram to offer the bot administrator rights with "manage topics" preselected.
RIGHTS = "manage_topics"


def link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?startgroup={code}&admin={RIGHTS}"


async def forum_screen(ctx: Ctx, s: Session, ref: str) -> Screen:
    store = ctx.deps.store
    group = await find_group(store, s.tid, ref)
    name = group_name(ctx, s.lang, group)
    binding = await store.topics.binding(s.tid, group.id)
    rows = [
        [kb.button(tr(ctx, s, "admin.group_forum.link_button"), gkb.GroupForumLink(s.tid, ref))]
    ]
    if binding is None:
        text = tr(ctx, s, "admin.group_forum.none", group=name)
    else:
        topic = (
            "admin.group_forum.topic_made" if binding.thread else "admin.group_forum.topic_later"
        )
        text = tr(
            ctx, s, "admin.group_forum.bound", group=name, chat=binding.chat_id,
            topic=tr(ctx, s, topic),
        )  # fmt: skip
        unbind = gkb.GroupForumUnbind(s.tid, ref)
        rows.append([kb.button(tr(ctx, s, "admin.group_forum.unbind_button"), unbind)])
    rows.append(back_row(ctx, s, ref))
    return Screen(text, kb.markup(rows))


async def on_forum(update: Update, ctx: Ctx, s: Session, data: gkb.GroupForum) -> None:
    await show(update, ctx, await forum_screen(ctx, s, data.group))


async def on_link(update: Update, ctx: Ctx, s: Session, data: gkb.GroupForumLink) -> None:
    """A fresh code each press (an older one still works until it expires or is used)."""
    group = await find_group(ctx.deps.store, s.tid, data.group)
    ttl = s.env.settings.forum_code_ttl
    code = await ctx.deps.store.topics.new_code(s.tid, group.id, s.chat_id, s.lang, ttl)
    url = link(ctx.deps.me.username, code)
    text = tr(ctx, s, "admin.group_forum.link", link=url, minutes=max(1, round(ttl / 60)))
    rows = [
        [InlineKeyboardButton(tr(ctx, s, "admin.group_forum.add_button"), url=url)],
        back_row(ctx, s, data.group),
    ]
    await show(update, ctx, Screen(text, InlineKeyboardMarkup(rows)))


async def on_unbind(update: Update, ctx: Ctx, s: Session, data: gkb.GroupForumUnbind) -> str:
    store = ctx.deps.store
    group = await find_group(store, s.tid, data.group)
    was = await store.topics.binding(s.tid, group.id)
    await store.topics.bind(s.tid, group.id, None)
    if was is not None:
        detail = f"{group_name(ctx, s.lang, group)}: {was.chat_id} → -"
        await journal.note(update, ctx, s, "group.forum", detail)
    await show(update, ctx, await forum_screen(ctx, s, data.group))
    return tr(ctx, s, "admin.group_forum.unbound" if was else "admin.group_forum.not_bound")


ROUTES = {
    gkb.GroupForum: on_forum,
    gkb.GroupForumLink: on_link,
    gkb.GroupForumUnbind: on_unbind,
}
