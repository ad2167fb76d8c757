"""«Журнал»: who did what in the admin menu and the CLI, and when (newest first, the last
SHOWN entries, PAGE a screen); and the one place that records a menu action.

A press is recorded by the router once its handler succeeded (`note_press`, table PRESSES);
an action that ends outside the router (a typed dialogue, a new invite) calls `note`.
Details name things (a group, a chat, a bot, an invite id), never a secret.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin.shared import (
    PAGE,
    Screen,
    Session,
    Stale,
    clamp,
    find_group,
    group_name,
    local_time,
    pages,
    show,
    tr,
)
from bot.keyboards import access as ak
from bot.keyboards import admin as kb
from bot.keyboards import admin_hours as hkb
from bot.keyboards import admin_pbx as pkb
from store.audit import CLI, Actor
from store.models import BotStatus

SHOWN = 100


def actor(update: Update) -> Actor:
    user = update.effective_user
    if user is None:
        chat = update.effective_chat
        return Actor(chat.id if chat else None, "?")
    return Actor(user.id, user.full_name)


async def note(update: Update, ctx: Ctx, s: Session, action: str, detail: str = "") -> None:
    await ctx.deps.store.audit.record(s.tid, actor(update), action, detail)


def _mark(on: bool) -> str:
    return "✅" if on else "⬜"


async def _group(ctx: Ctx, s: Session, ref: str) -> str:
    if ref == kb.ALL:
        return tr(ctx, s, "access.journal.all_groups")
    try:
        return group_name(ctx, s.lang, await find_group(ctx.deps.store, s.tid, ref))
    except Stale:
        return ref


async def _chat(ctx: Ctx, s: Session, chat: int) -> str:
    sub = await ctx.deps.store.subs.find(s.tid, chat)
    return f"{sub.name} ({chat})" if sub is not None else str(chat)


async def _bot(ctx: Ctx, s: Session, bid: str) -> str:
    """The bot and the state the press left it in (a rejected token leaves it off)."""
    for bot in await ctx.deps.store.bots.list(s.tid):
        if bot.id == bid:
            return f"@{bot.username} {_mark(bot.status is BotStatus.ACTIVE)}"
    return bid


Detail = Callable[[Ctx, Session, Any], Awaitable[str | None]]


async def _group_on(ctx: Ctx, s: Session, d: Any) -> str:
    return f"{await _group(ctx, s, d.group)} {_mark(d.on)}"


async def _group_new(on: bool, ctx: Ctx, s: Session, d: Any) -> str:
    return f"{await _group(ctx, s, d.group)} {_mark(on)}"


# Which presses change something, as (action, detail); a detail of None records nothing
# (a first press that only asks for a confirmation).
PRESSES: dict[type, tuple[str, Detail]] = {
    kb.GroupSet: ("group.notify", _group_on),
    kb.GroupNewOn: ("group.notify", lambda c, s, d: _group_new(True, c, s, d)),
    kb.GroupNewOff: ("group.notify", lambda c, s, d: _group_new(False, c, s, d)),
    kb.NewGroupsPolicy: ("group.policy", lambda c, s, d: _ready(_mark(d.on))),
    kb.UserSwitch: ("user.switch", lambda c, s, d: _join(_chat(c, s, d.chat), _mark(d.on))),
    kb.UserFollow: (
        "user.follow",
        lambda c, s, d: _join(_chat(c, s, d.chat), _group(c, s, d.target), _mark(d.on)),
    ),
    kb.UserDelete: ("user.delete", lambda c, s, d: _ready(str(d.chat) if d.confirmed else None)),
    kb.BotSwitch: ("bot.switch", lambda c, s, d: _bot(c, s, d.bot)),
    kb.BotDelete: ("bot.delete", lambda c, s, d: _ready(d.bot if d.confirmed else None)),
    kb.BotRateSet: ("bot.pace", lambda c, s, d: _rate(c, s, d)),
    kb.ApiKeyRotate: ("key.rotate", lambda c, s, d: _ready("" if d.confirmed else None)),
    ak.KeyActivation: ("key_activation", lambda c, s, d: _ready(_mark(d.on))),
    ak.InviteRevoke: ("invite.revoke", lambda c, s, d: _ready(d.invite if d.confirmed else None)),
    pkb.PbxDelete: (
        "connector.remove",
        lambda c, s, d: _ready(d.conn[:6] if d.confirmed else None),
    ),
    hkb.ReportWeekly: ("report.weekly", lambda c, s, d: _ready(_mark(d.on))),
}


async def _rate(ctx: Ctx, s: Session, d: Any) -> str | None:
    """The bot and the pace a preset set (a paid one only once it is confirmed)."""
    if d.paid and not d.confirmed:
        return None
    bots = [b for b in await ctx.deps.store.bots.list(s.tid) if b.id == d.bot]
    who = f"@{bots[0].username} ({bots[0].tg_id})" if bots else d.bot
    return f"{who} {d.rate}/s" + (" paid" if d.paid else "")


async def _ready(value: str | None) -> str | None:
    return value


async def _join(*parts: Awaitable[str] | str) -> str:
    out = []
    for part in parts:
        out.append(part if isinstance(part, str) else await part)
    return " ".join(out)


async def note_press(update: Update, ctx: Ctx, s: Session, data: object) -> None:
    """Record a press the router ran successfully, if it is one that changes something."""
    found = PRESSES.get(type(data))
    if found is None:
        return
    action, detail = found
    text = await detail(ctx, s, data)
    if text is not None:
        await note(update, ctx, s, action, text)


# --- the screen -------------------------------------------------------------------------------


def _action(ctx: Ctx, s: Session, action: str) -> str:
    key = f"access.action.{action}"
    return tr(ctx, s, key) if key in ctx.deps.texts.keys(s.lang) else action


async def journal_screen(ctx: Ctx, s: Session, page: int) -> Screen:
    store = ctx.deps.store
    total = min(await store.audit.count(s.tid), SHOWN)
    page = clamp(page, total)
    entries = await store.audit.recent(s.tid, page * PAGE, PAGE)
    lines = [tr(ctx, s, "access.journal.title", count=SHOWN), ""]
    for e in entries:
        who = tr(ctx, s, "access.journal.cli") if e.user_id is None and e.name == CLI else e.name
        line = f"{local_time(ctx, s, e.at)} · {who}: {_action(ctx, s, e.action)}"
        lines.append(f"{line} — {e.detail}" if e.detail else line)
    if not entries:
        lines.append(tr(ctx, s, "access.journal.empty"))
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(total))
    rows = [
        kb.pager(page, pages(total), lambda p: ak.Journal(s.tid, p), label),
        [kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))],
    ]
    return Screen("\n".join(lines), kb.markup(rows))


async def on_journal(update: Update, ctx: Ctx, s: Session, data: ak.Journal) -> None:
    await show(update, ctx, await journal_screen(ctx, s, data.page))


ROUTES = {ak.Journal: on_journal}
