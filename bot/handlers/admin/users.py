"""«Пользователи» (Управление списком пользователей): subscribers by group, pages of ten, a card
per subscriber with On/Off, the groups it follows, and deletion."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update
from telegram.constants import MessageLimit

from bot.context import Ctx
from bot.handlers.admin import announce
from bot.handlers.admin.shared import (
    PAGE,
    Screen,
    Session,
    Stale,
    all_groups,
    all_subs,
    clamp,
    find_group,
    group_name,
    local_time,
    pages,
    show,
    tr,
)
from bot.keyboards import admin as kb
from store.models import Subscription, SubStatus


def _status(ctx: Ctx, s: Session, sub: Subscription) -> str:
    return tr(ctx, s, f"status.{sub.status.value}")


async def overview_screen(ctx: Ctx, s: Session, page: int) -> Screen:
    store = ctx.deps.store
    subs, groups = await all_subs(store, s.tid), await all_groups(store, s.tid)
    page = clamp(page, len(groups))
    shown = groups[page * PAGE : (page + 1) * PAGE]
    lines = [tr(ctx, s, "admin.users.title"), tr(ctx, s, "admin.users.total", count=len(subs))]
    rows = []
    for g in shown:
        label = tr(
            ctx,
            s,
            "admin.users.group_item",
            group=group_name(ctx, s.lang, g),
            count=sum(1 for sub in subs if sub.follows(g.id)),
        )
        rows.append([kb.button(label, kb.UserList(s.tid, kb.gref(g.id)))])
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(len(groups)))
    rows.append(kb.pager(page, pages(len(groups)), lambda p: kb.Users(s.tid, p), label))
    rows.append(
        [kb.button(tr(ctx, s, "admin.users.all", count=len(subs)), kb.UserList(s.tid, kb.ALL))]
    )
    rows.append([kb.button(tr(ctx, s, "admin.users.add"), kb.UserAdd(s.tid))])
    rows.append([kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))])
    return Screen("\n".join(lines), kb.markup(rows))


async def _members(ctx: Ctx, s: Session, ref: str) -> tuple[str, list[Subscription]]:
    """The list's title and its subscribers (of one group, or everyone)."""
    subs = await all_subs(ctx.deps.store, s.tid)
    if ref == kb.ALL:
        return tr(ctx, s, "admin.users.list_all", count=len(subs)), subs
    group = await find_group(ctx.deps.store, s.tid, ref)
    members = [sub for sub in subs if sub.follows(group.id)]
    name = group_name(ctx, s.lang, group)
    return tr(ctx, s, "admin.users.list_group", group=name, count=len(members)), members


async def list_screen(ctx: Ctx, s: Session, ref: str, page: int) -> Screen:
    title, members = await _members(ctx, s, ref)
    page = clamp(page, len(members))
    shown = members[page * PAGE : (page + 1) * PAGE]
    lines = [title]
    if shown:
        lines += [tr(ctx, s, "admin.users.columns"), ""]
    else:
        lines.append(tr(ctx, s, "admin.users.empty"))
    rows = []
    for n, sub in enumerate(shown, start=page * PAGE + 1):
        when = local_time(ctx, s, sub.status_changed_at)
        lines.append(f"{n}. {sub.name} — {_status(ctx, s, sub)} — {when}")
        card = kb.UserCard(s.tid, sub.chat_id, ref, page)
        rows.append([kb.button(f"{n}. {sub.name}", card)])
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(len(members)))
    rows.append(kb.pager(page, pages(len(members)), lambda p: kb.UserList(s.tid, ref, p), label))
    rows.append([kb.button(tr(ctx, s, "admin.users.add"), kb.UserAdd(s.tid))])
    rows.append([kb.button(tr(ctx, s, "admin.back.users"), kb.Users(s.tid))])
    return Screen("\n".join(lines), kb.markup(rows))


async def _sub(ctx: Ctx, s: Session, chat: int) -> Subscription:
    sub = await ctx.deps.store.subs.find(s.tid, chat)
    if sub is None:
        raise Stale("admin.stale.user")
    return sub


async def _followed(ctx: Ctx, s: Session, sub: Subscription) -> list[str] | str:
    """The names of the groups the subscriber follows, or the one word that says it."""
    if sub.groups is None:
        return tr(ctx, s, "admin.users.all_groups")
    names = [
        group_name(ctx, s.lang, g)
        for g in await all_groups(ctx.deps.store, s.tid)
        if g.id in sub.groups
    ]
    return names or tr(ctx, s, "admin.users.no_groups")


def _length(text: str) -> int:
    """Telegram's count (UTF-16 code units): never less than the number of characters."""
    return len(text.encode("utf-16-le")) // 2


def fit_names(
    names: list[str], render: Callable[[str], str], more: Callable[[str, int], str]
) -> str:
    """`render(joined names)` within Telegram's message limit: as many names as fit, then
    `more(shown, rest)` («…и ещё N»). A group name may be 256 characters long and a
    subscriber may follow hundreds of groups."""
    full = render(", ".join(names))
    if _length(full) <= MessageLimit.MAX_TEXT_LENGTH:
        return full
    budget = MessageLimit.MAX_TEXT_LENGTH - _length(render(more("", len(names))))
    shown: list[str] = []
    used = 0
    for name in names:
        cost = _length(name) + (2 if shown else 0)
        if used + cost > budget:
            break
        shown.append(name)
        used += cost
    return render(more(", ".join(shown), len(names) - len(shown)))


async def card_screen(ctx: Ctx, s: Session, chat: int, ref: str, page: int) -> Screen:
    sub = await _sub(ctx, s, chat)
    extension = sub.extension or tr(ctx, s, "admin.users.ext_none")

    def render(groups: str) -> str:
        return tr(
            ctx,
            s,
            "admin.users.card",
            name=sub.name,
            chat=sub.chat_id,
            username=f"@{sub.username}" if sub.username else "—",
            status=_status(ctx, s, sub),
            since=local_time(ctx, s, sub.status_changed_at),
            groups=groups,
            ext=tr(ctx, s, "admin.users.ext", ext=extension),
        )

    followed = await _followed(ctx, s, sub)
    if isinstance(followed, str):
        text = render(followed)
    else:

        def more(shown: str, rest: int) -> str:
            return tr(ctx, s, "admin.users.groups_more", groups=shown, count=rest)

        text = fit_names(followed, render, more)
    disabled = sub.status is SubStatus.DISABLED
    switch = kb.button(
        tr(ctx, s, "admin.users.turn_on" if disabled else "admin.users.turn_off"),
        kb.UserSwitch(s.tid, chat, disabled, ref, page),
    )
    rows = [
        [
            switch,
            kb.button(tr(ctx, s, "admin.users.groups"), kb.UserGroups(s.tid, chat, ref, page)),
        ],
        [kb.button(tr(ctx, s, "admin.users.ext_btn"), kb.UserExt(s.tid, chat, ref, page))],
        [kb.button(tr(ctx, s, "admin.users.delete"), kb.UserDelete(s.tid, chat, False, ref, page))],
        [kb.button(tr(ctx, s, "admin.back.list"), kb.UserList(s.tid, ref, page))],
    ]
    return Screen(text, kb.markup(rows))


async def follow_screen(ctx: Ctx, s: Session, chat: int, ref: str, page: int, gpage: int) -> Screen:
    sub = await _sub(ctx, s, chat)
    groups = await all_groups(ctx.deps.store, s.tid)
    gpage = clamp(gpage, len(groups))
    every = sub.groups is None
    rows = [
        [
            kb.button(
                ("☑ " if every else "☐ ") + tr(ctx, s, "admin.users.follow_all"),
                kb.UserFollow(s.tid, chat, kb.ALL, not every, ref, page, gpage),
            )
        ]
    ]
    for g in groups[gpage * PAGE : (gpage + 1) * PAGE]:
        on = sub.follows(g.id)
        rows.append(
            [
                kb.button(
                    ("☑ " if on else "☐ ") + group_name(ctx, s.lang, g),
                    kb.UserFollow(s.tid, chat, kb.gref(g.id), not on, ref, page, gpage),
                )
            ]
        )
    label = tr(ctx, s, "admin.page", page=gpage + 1, pages=pages(len(groups)))
    rows.append(
        kb.pager(
            gpage, pages(len(groups)), lambda p: kb.UserGroups(s.tid, chat, ref, page, p), label
        )
    )
    rows.append([kb.button(tr(ctx, s, "admin.back.card"), kb.UserCard(s.tid, chat, ref, page))])
    return Screen(tr(ctx, s, "admin.users.follow_title", name=sub.name), kb.markup(rows))


# --- buttons ----------------------------------------------------------------------------------


async def on_users(update: Update, ctx: Ctx, s: Session, data: kb.Users) -> None:
    await show(update, ctx, await overview_screen(ctx, s, data.page))


async def on_list(update: Update, ctx: Ctx, s: Session, data: kb.UserList) -> None:
    await show(update, ctx, await list_screen(ctx, s, data.group, data.page))


async def on_card(update: Update, ctx: Ctx, s: Session, data: kb.UserCard) -> None:
    await show(update, ctx, await card_screen(ctx, s, data.chat, data.group, data.page))


async def on_switch(update: Update, ctx: Ctx, s: Session, data: kb.UserSwitch) -> str:
    await _sub(ctx, s, data.chat)
    sub, previous = await ctx.deps.store.subs.admin_set(s.tid, data.chat, data.on)
    if previous is not sub.status:
        await announce.subscriber_switched(ctx, s, data.chat, data.on)
    await show(update, ctx, await card_screen(ctx, s, data.chat, data.group, data.page))
    return tr(ctx, s, "admin.users.now", status=_status(ctx, s, sub))


async def on_groups(update: Update, ctx: Ctx, s: Session, data: kb.UserGroups) -> None:
    screen = await follow_screen(ctx, s, data.chat, data.group, data.page, data.gpage)
    await show(update, ctx, screen)


async def on_follow(update: Update, ctx: Ctx, s: Session, data: kb.UserFollow) -> None:
    store = ctx.deps.store
    sub = await _sub(ctx, s, data.chat)
    everything = frozenset(g.id for g in await all_groups(store, s.tid))
    if data.target == kb.ALL:
        chosen = None if data.on else everything
    else:
        group = await find_group(store, s.tid, data.target)
        current = set(everything if sub.groups is None else sub.groups)
        (current.add if data.on else current.discard)(group.id)
        chosen = frozenset(current)
    await store.subs.set_groups(s.tid, data.chat, chosen)
    screen = await follow_screen(ctx, s, data.chat, data.group, data.page, data.gpage)
    await show(update, ctx, screen)


async def on_delete(update: Update, ctx: Ctx, s: Session, data: kb.UserDelete) -> str | None:
    sub = await _sub(ctx, s, data.chat)
    if not data.confirmed:
        yes = kb.UserDelete(s.tid, data.chat, True, data.group, data.page)
        no = kb.UserCard(s.tid, data.chat, data.group, data.page)
        rows = [
            [kb.button(tr(ctx, s, "admin.users.delete_yes"), yes)],
            [kb.button(tr(ctx, s, "admin.no"), no)],
        ]
        text = tr(ctx, s, "admin.users.delete_confirm", name=sub.name)
        await show(update, ctx, Screen(text, kb.markup(rows)))
        return None
    await ctx.deps.store.subs.remove(s.tid, data.chat)
    await show(update, ctx, await list_screen(ctx, s, data.group, data.page))
    return tr(ctx, s, "admin.users.deleted", name=sub.name)


ROUTES = {
    kb.Users: on_users,
    kb.UserList: on_list,
    kb.UserCard: on_card,
    kb.UserSwitch: on_switch,
    kb.UserGroups: on_groups,
    kb.UserFollow: on_follow,
    kb.UserDelete: on_delete,
}
