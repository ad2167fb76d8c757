"""One group's screen (⚙️ beside it in «Группы»): its flag, whose working hours it follows and
its forum; the way to «Рабочие часы группы» and «Тема в форуме»."""

from __future__ import annotations

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin.shared import Screen, Session, find_group, group_name, show, tr
from bot.keyboards import admin as kb
from bot.keyboards import admin_group as gkb


async def card_screen(ctx: Ctx, s: Session, ref: str, page: int = 0) -> Screen:
    store = ctx.deps.store
    group = await find_group(store, s.tid, ref)
    hours = await store.schedules.effective(s.tid, group.id)
    binding = await store.topics.binding(s.tid, group.id)
    text = tr(
        ctx,
        s,
        "admin.group.title",
        group=group_name(ctx, s.lang, group),
        notify=tr(ctx, s, "admin.group.notify_on" if group.notify else "admin.group.notify_off"),
        hours=tr(ctx, s, "admin.group.hours_own", hours=hours.hours)
        if hours.from_group
        else tr(ctx, s, "admin.group.hours_tenant"),
        forum=tr(ctx, s, "admin.group.forum_bound", chat=binding.chat_id)
        if binding
        else tr(ctx, s, "admin.group.forum_none"),
    )
    rows = [
        [kb.button(tr(ctx, s, "admin.group.hours_button"), gkb.GroupHours(s.tid, ref))],
        [kb.button(tr(ctx, s, "admin.group.forum_button"), gkb.GroupForum(s.tid, ref))],
        [kb.button(tr(ctx, s, "admin.back.groups"), kb.Groups(s.tid, page))],
    ]
    return Screen(text, kb.markup(rows))


async def on_card(update: Update, ctx: Ctx, s: Session, data: gkb.GroupCard) -> None:
    await show(update, ctx, await card_screen(ctx, s, data.group, data.page))


def back_row(ctx: Ctx, s: Session, ref: str) -> list:
    """«« К группе» under the group's sub-screens."""
    return [kb.button(tr(ctx, s, "admin.back.group"), gkb.GroupCard(s.tid, ref))]
