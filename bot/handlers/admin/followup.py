"""«Перезвон»: the tenant's follow-up settings — the escalation delay (0 = off) and the
callback window — one tap each, as `perezvon tenant set` changes them."""

from __future__ import annotations

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin.shared import Screen, Session, show, tr
from bot.keyboards import admin as kb

ESCALATE_CHOICES = (0, 5, 15, 30, 60)
WINDOW_CHOICES = (12, 24, 48, 72)


def _mark(label: str, chosen: bool) -> str:
    return f"✅ {label}" if chosen else label


def screen(ctx: Ctx, s: Session) -> Screen:
    tenant = s.tenant
    off = tr(ctx, s, "admin.followup.off")
    escalate = off if tenant.escalate_after == 0 else str(tenant.escalate_after)
    text = tr(ctx, s, "admin.followup.title", escalate=escalate, window=tenant.callback_window)
    rows = [
        [
            kb.button(
                _mark(off if m == 0 else f"{m}", m == tenant.escalate_after),
                kb.FollowUpSet(s.tid, True, m),
            )
            for m in ESCALATE_CHOICES
        ],
        [
            kb.button(_mark(f"{h}", h == tenant.callback_window), kb.FollowUpSet(s.tid, False, h))
            for h in WINDOW_CHOICES
        ],
        [kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))],
    ]
    return Screen(text, kb.markup(rows))


async def on_screen(update: Update, ctx: Ctx, s: Session, data: kb.FollowUp) -> None:
    await show(update, ctx, screen(ctx, s))


async def on_set(update: Update, ctx: Ctx, s: Session, data: kb.FollowUpSet) -> str:
    store = ctx.deps.store
    if data.escalate:
        tenant = await store.tenants.set_options(s.tid, escalate_after=data.value)
    else:
        tenant = await store.tenants.set_options(s.tid, callback_window=data.value)
    s = Session(s.env, tenant, s.lang, s.chat_id)
    await show(update, ctx, screen(ctx, s))
    return tr(ctx, s, "admin.followup.saved")


ROUTES = {kb.FollowUp: on_screen, kb.FollowUpSet: on_set}
