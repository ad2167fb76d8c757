"""«Группы»: every group with its flag «Оповещать о пропущенных вызовах в Telegram»; a tap
toggles it and every follower hears about it."""

from __future__ import annotations

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin import announce, group_card
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
from bot.keyboards import admin_group as gkb
from store.models import Group


def _mark(group: Group) -> str:
    return "✅" if group.notify else "⬜"


async def groups_screen(ctx: Ctx, s: Session, page: int) -> Screen:
    store = ctx.deps.store
    groups = await all_groups(store, s.tid)
    page = clamp(page, len(groups))
    shown = groups[page * PAGE : (page + 1) * PAGE]
    ignored = await store.groups.ignored_this_week(s.tid, [g.id for g in shown])
    new_groups = (await store.tenants.get(s.tid)).new_groups
    lines = [tr(ctx, s, "admin.groups.title"), tr(ctx, s, "admin.groups.hint"), ""]
    for g in shown:
        line = f"{_mark(g)} {group_name(ctx, s.lang, g)}"
        if ignored.get(g.id):
            line = tr(ctx, s, "admin.groups.ignored", line=line, count=ignored[g.id])
        lines.append(line)
    lines += ["", tr(ctx, s, "admin.groups.policy_on" if new_groups else "admin.groups.policy_off")]
    rows = [
        [
            kb.button(
                f"{_mark(g)} {group_name(ctx, s.lang, g)}",
                kb.GroupSet(s.tid, kb.gref(g.id), not g.notify, page),
            ),
            kb.button(tr(ctx, s, "admin.group.open"), gkb.GroupCard(s.tid, kb.gref(g.id), page)),
        ]
        for g in shown
    ]
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(len(groups)))
    rows.append(kb.pager(page, pages(len(groups)), lambda p: kb.Groups(s.tid, p), label))
    policy = "admin.groups.policy_button_on" if new_groups else "admin.groups.policy_button_off"
    rows.append([kb.button(tr(ctx, s, policy), kb.NewGroupsPolicy(s.tid, not new_groups, page))])
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


async def _new_group_switch(update: Update, ctx: Ctx, s: Session, ref: str, on: bool) -> str:
    """A button under «the PBX named a new group»: set its flag, say so in that message."""
    group, told = await set_flag(ctx, s, ref, on)
    text = _notice(ctx, s, group, told)
    menu = kb.markup([[kb.button(tr(ctx, s, "admin.menu.groups"), kb.Groups(s.tid))]])
    await show(update, ctx, Screen(text, menu))
    return text


async def on_new_group_on(update: Update, ctx: Ctx, s: Session, data: kb.GroupNewOn) -> str:
    return await _new_group_switch(update, ctx, s, data.group, True)


async def on_new_group_off(update: Update, ctx: Ctx, s: Session, data: kb.GroupNewOff) -> str:
    return await _new_group_switch(update, ctx, s, data.group, False)


async def on_policy(update: Update, ctx: Ctx, s: Session, data: kb.NewGroupsPolicy) -> str:
    """Whether groups the PBX names from now on notify at once (the button carries the state
    wanted, so a second tap on an old screen changes nothing)."""
    await ctx.deps.store.tenants.set_options(s.tid, new_groups=data.on)
    await show(update, ctx, await groups_screen(ctx, s, data.page))
    return tr(ctx, s, "admin.groups.policy_now_on" if data.on else "admin.groups.policy_now_off")


ROUTES = {
    kb.Groups: on_groups,
    kb.GroupSet: on_set,
    kb.GroupNewOn: on_new_group_on,
    kb.GroupNewOff: on_new_group_off,
    kb.NewGroupsPolicy: on_policy,
    gkb.GroupCard: group_card.on_card,  # the group's screen: its hours, its forum
}
