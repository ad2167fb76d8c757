"""«Группы»: every group with its flag «Оповещать о пропущенных вызовах в Telegram»; a tap
toggles it and every follower hears about it."""

from __future__ import annotations

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin import announce
from bot.handlers.admin.shared import (
    PAGE,
    Screen,
    Session,
    all_groups,
    clamp,
    find_group,
    group_name,
    pages,
    show,
    tr,
)
from bot.keyboards import admin as kb
from store.models import Group


def _mark(group: Group) -> str:
    return "✅" if group.notify else "⬜"


async def groups_screen(ctx: Ctx, s: Session, page: int) -> Screen:
    groups = await all_groups(ctx.deps.store, s.tid)
    page = clamp(page, len(groups))
    shown = groups[page * PAGE : (page + 1) * PAGE]
    lines = [tr(ctx, s, "admin.groups.title"), tr(ctx, s, "admin.groups.hint"), ""]
    lines += [f"{_mark(g)} {group_name(ctx, s.lang, g)}" for g in shown]
    rows = [
        [
            kb.button(
                f"{_mark(g)} {group_name(ctx, s.lang, g)}",
                kb.GroupSet(s.tid, kb.gref(g.id), not g.notify, page),
            )
        ]
        for g in shown
    ]
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(len(groups)))
    rows.append(kb.pager(page, pages(len(groups)), lambda p: kb.Groups(s.tid, p), label))
    rows.append([kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))])
    return Screen("\n".join(lines), kb.markup(rows))


async def set_flag(ctx: Ctx, s: Session, ref: str, on: bool) -> tuple[Group, int | None]:
    """Set a group's flag; tell its followers when it changed (how many, else None)."""
    group = await find_group(ctx.deps.store, s.tid, ref)
    group, changed = await ctx.deps.store.groups.set_notify(s.tid, group.id, on)
    told = await announce.group_flag(ctx, s, group) if changed else None
    return group, told


def _notice(ctx: Ctx, s: Session, group: Group, told: int | None) -> str:
    key = "admin.groups.now_on" if group.notify else "admin.groups.now_off"
    text = tr(ctx, s, key, group=group_name(ctx, s.lang, group))
    if told:
        text += " " + tr(ctx, s, "admin.groups.told", count=told)
    return text


async def on_groups(update: Update, ctx: Ctx, s: Session, data: kb.Groups) -> None:
    await show(update, ctx, await groups_screen(ctx, s, data.page))


async def on_set(update: Update, ctx: Ctx, s: Session, data: kb.GroupSet) -> str:
    group, told = await set_flag(ctx, s, data.group, data.on)
    await show(update, ctx, await groups_screen(ctx, s, data.page))
    return _notice(ctx, s, group, told)


async def on_new_group_on(update: Update, ctx: Ctx, s: Session, data: kb.GroupNewOn) -> str:
    """The button under «the PBX named a new group»: switch it on, say so in that message."""
    group, told = await set_flag(ctx, s, data.group, True)
    text = _notice(ctx, s, group, told)
    menu = kb.markup([[kb.button(tr(ctx, s, "admin.menu.groups"), kb.Groups(s.tid))]])
    await show(update, ctx, Screen(text, menu))
    return text


ROUTES = {
    kb.Groups: on_groups,
    kb.GroupSet: on_set,
    kb.GroupNewOn: on_new_group_on,
}
