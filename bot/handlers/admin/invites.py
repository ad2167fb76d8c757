"""«Пригласить»: invite links (a group, a number of uses and an expiry chosen from presets),
the list with «Отозвать», and the switch for «/activate with the API key»."""

from __future__ import annotations

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin import journal
from bot.handlers.admin.shared import (
    PAGE,
    Screen,
    Session,
    Stale,
    all_groups,
    clamp,
    find_group,
    group_name,
    local_time,
    pages,
    send_screen,
    show,
    tr,
)
from bot.keyboards import access as ak
from bot.keyboards import admin as kb
from perezvon.operator_access import invite_link
from store.errors import NotFound
from store.invites import Invite

USES = (1, 10, 100)
HOURS = (24, 168, 720)


def menu_row(ctx: Ctx, s: Session) -> list:
    """The main menu's row of «Пригласить» and «Журнал»."""
    return [
        kb.button(tr(ctx, s, "access.menu.invite"), ak.Invites(s.tid)),
        kb.button(tr(ctx, s, "access.menu.journal"), ak.Journal(s.tid)),
    ]


async def delivering_bot(ctx: Ctx, tid: str) -> str:
    custom = await ctx.deps.store.bots.active(tid)
    return custom.username if custom is not None else ctx.deps.default.username


def _state(ctx: Ctx, s: Session, inv: Invite) -> str:
    if inv.revoked:
        return tr(ctx, s, "access.invite.state.revoked")
    if inv.uses_left <= 0:
        return tr(ctx, s, "access.invite.state.used_up")
    if ctx.deps.clock() >= inv.expires_at:
        return tr(ctx, s, "access.invite.state.expired")
    return tr(ctx, s, "access.invite.state.live")


async def _group_label(ctx: Ctx, s: Session, gid: str | None) -> str:
    if gid is None:
        return tr(ctx, s, "access.journal.all_groups")
    try:
        return group_name(ctx, s.lang, await ctx.deps.store.groups.get(s.tid, gid))
    except NotFound:
        return gid


async def invites_screen(ctx: Ctx, s: Session, page: int) -> Screen:
    store = ctx.deps.store
    invites = await store.invites.list(s.tid)
    tenant = await store.tenants.get(s.tid)
    page = clamp(page, len(invites))
    shown = invites[page * PAGE : (page + 1) * PAGE]
    lines = [tr(ctx, s, "access.invites.title"), tr(ctx, s, "access.invites.hint"), ""]
    rows = [[kb.button(tr(ctx, s, "access.invites.new"), ak.InviteNew(s.tid))]]
    for inv in shown:
        lines.append(
            tr(
                ctx, s, "access.invites.line", id=inv.id, state=_state(ctx, s, inv),
                uses=inv.uses, left=inv.uses_left, until=local_time(ctx, s, inv.expires_at),
                group=await _group_label(ctx, s, inv.group),
            )
        )  # fmt: skip
        if inv.live(ctx.deps.clock()):
            label = tr(ctx, s, "access.invites.revoke", id=inv.id)
            rows.append([kb.button(label, ak.InviteRevoke(s.tid, inv.id))])
    if not invites:
        lines.append(tr(ctx, s, "access.invites.none"))
    on = tenant.key_activation
    lines += [
        "",
        tr(ctx, s, "access.key_activation.on" if on else "access.key_activation.off_line"),
    ]
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(len(invites)))
    rows.append(kb.pager(page, pages(len(invites)), lambda p: ak.Invites(s.tid, p), label))
    switch = "access.key_activation.button_on" if on else "access.key_activation.button_off"
    rows.append([kb.button(tr(ctx, s, switch), ak.KeyActivation(s.tid, not on))])
    rows.append([kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))])
    return Screen("\n".join(lines), kb.markup(rows))


async def on_invites(update: Update, ctx: Ctx, s: Session, data: ak.Invites) -> None:
    await show(update, ctx, await invites_screen(ctx, s, data.page))


async def _group_step(ctx: Ctx, s: Session, page: int) -> Screen:
    groups = await all_groups(ctx.deps.store, s.tid)
    page = clamp(page, len(groups))
    rows = [[kb.button(tr(ctx, s, "access.journal.all_groups"), ak.InviteNew(s.tid, kb.ALL))]]
    for g in groups[page * PAGE : (page + 1) * PAGE]:
        rows.append([kb.button(group_name(ctx, s.lang, g), ak.InviteNew(s.tid, kb.gref(g.id)))])
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(len(groups)))
    rows.append(kb.pager(page, pages(len(groups)), lambda p: ak.InviteNew(s.tid, page=p), label))
    rows.append([kb.button(tr(ctx, s, "admin.no"), ak.Invites(s.tid))])
    return Screen(tr(ctx, s, "access.invites.pick_group"), kb.markup(rows))


def _uses_step(ctx: Ctx, s: Session, ref: str) -> Screen:
    choices = [
        kb.button(tr(ctx, s, "access.invites.uses_n", n=n), ak.InviteNew(s.tid, ref, n))
        for n in USES
    ]
    rows = [choices, [kb.button(tr(ctx, s, "admin.no"), ak.Invites(s.tid))]]
    return Screen(tr(ctx, s, "access.invites.pick_uses"), kb.markup(rows))


def _hours_step(ctx: Ctx, s: Session, ref: str, uses: int) -> Screen:
    choices = [
        kb.button(tr(ctx, s, f"access.invites.hours_{h}"), ak.InviteNew(s.tid, ref, uses, h))
        for h in HOURS
    ]
    rows = [choices, [kb.button(tr(ctx, s, "admin.no"), ak.Invites(s.tid))]]
    return Screen(tr(ctx, s, "access.invites.pick_hours"), kb.markup(rows))


async def on_new(update: Update, ctx: Ctx, s: Session, data: ak.InviteNew) -> str | None:
    if not data.group:
        await show(update, ctx, await _group_step(ctx, s, data.page))
        return None
    gid = None if data.group == kb.ALL else (await find_group(ctx.deps.store, s.tid, data.group)).id
    if data.uses not in USES:
        await show(update, ctx, _uses_step(ctx, s, data.group))
        return None
    if data.hours not in HOURS:
        await show(update, ctx, _hours_step(ctx, s, data.group, data.uses))
        return None
    who = journal.actor(update)
    inv, code = await ctx.deps.store.invites.create(
        s.tid, group=gid, uses=data.uses, hours=data.hours, by=who.name
    )
    link = invite_link(await delivering_bot(ctx, s.tid), code)
    detail = f"{inv.id} ×{inv.uses_left}" + (f" {await _group_label(ctx, s, gid)}" if gid else "")
    await journal.note(update, ctx, s, "invite.create", detail)
    text = tr(
        ctx, s, "access.invites.created", id=inv.id, uses=inv.uses_left,
        until=local_time(ctx, s, inv.expires_at), group=await _group_label(ctx, s, gid),
        link=link or code,
    )  # fmt: skip
    # A message of its own, to forward to the employee; the menu goes on below it.
    await ctx.bot.send_message(s.chat_id, text)
    await send_screen(ctx, s.chat_id, await invites_screen(ctx, s, 0))
    return tr(ctx, s, "access.invites.created_short")


async def on_revoke(update: Update, ctx: Ctx, s: Session, data: ak.InviteRevoke) -> str | None:
    try:
        inv = await ctx.deps.store.invites.find(s.tid, data.invite)
    except NotFound:
        raise Stale() from None
    if not data.confirmed:
        rows = [
            [
                kb.button(
                    tr(ctx, s, "access.invites.revoke_yes"), ak.InviteRevoke(s.tid, inv.id, True)
                )
            ],
            [kb.button(tr(ctx, s, "admin.no"), ak.Invites(s.tid))],
        ]
        await show(
            update,
            ctx,
            Screen(tr(ctx, s, "access.invites.revoke_confirm", id=inv.id), kb.markup(rows)),
        )
        return None
    await ctx.deps.store.invites.revoke(s.tid, inv.id)
    await show(update, ctx, await invites_screen(ctx, s, 0))
    return tr(ctx, s, "access.invites.revoked", id=inv.id)


async def on_key_activation(update: Update, ctx: Ctx, s: Session, data: ak.KeyActivation) -> str:
    await ctx.deps.store.tenants.set_options(s.tid, key_activation=data.on)
    await show(update, ctx, await invites_screen(ctx, s, 0))
    return tr(
        ctx, s, "access.key_activation.now_on" if data.on else "access.key_activation.now_off"
    )


ROUTES = {
    ak.Invites: on_invites,
    ak.InviteNew: on_new,
    ak.InviteRevoke: on_revoke,
    ak.KeyActivation: on_key_activation,
}
