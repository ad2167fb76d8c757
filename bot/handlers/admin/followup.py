"""«Перезвон»: the tenant's follow-up settings — the escalation delay (0 = off) and the
callback window — one tap each, as `perezvon tenant set` changes them; and per group a chat
(a Telegram group the bot is in) that also gets the escalations, as `perezvon group set`."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler

from bot.context import Ctx
from bot.handlers.admin import dialog
from bot.handlers.admin.shared import (
    PAGE,
    AdminEnv,
    Screen,
    Session,
    all_groups,
    find_group,
    group_name,
    send_screen,
    show,
    tr,
)
from bot.keyboards import admin as kb
from bot.keyboards import admin_followup as fkb
from store.errors import InvalidInput, NotFound

CHAT = "followup_chat"
KIND = "followup_chat"

ESCALATE_CHOICES = (0, 5, 15, 30, 60)
WINDOW_CHOICES = (12, 24, 48, 72)


def _mark(label: str, chosen: bool) -> str:
    return f"✅ {label}" if chosen else label


async def screen(ctx: Ctx, s: Session) -> Screen:
    tenant = s.tenant
    off = tr(ctx, s, "admin.followup.off")
    escalate = off if tenant.escalate_after == 0 else str(tenant.escalate_after)
    text = tr(ctx, s, "admin.followup.title", escalate=escalate, window=tenant.callback_window)
    rows = [
        [
            kb.button(
                _mark(off if m == 0 else f"{m}", m == tenant.escalate_after),
                fkb.FollowUpSet(s.tid, True, m),
            )
            for m in ESCALATE_CHOICES
        ],
        [
            kb.button(_mark(f"{h}", h == tenant.callback_window), fkb.FollowUpSet(s.tid, False, h))
            for h in WINDOW_CHOICES
        ],
    ]
    groups = await all_groups(ctx.deps.store, s.tid)
    if groups:
        text += "\n\n" + tr(ctx, s, "admin.followup.chats")
    for g in groups[:PAGE]:
        chat = str(g.escalation_chat) if g.escalation_chat else tr(ctx, s, "admin.followup.off")
        label = tr(ctx, s, "admin.followup.chat_btn", group=group_name(ctx, s.lang, g), chat=chat)
        rows.append([kb.button(label, fkb.FollowUpChat(s.tid, kb.gref(g.id)))])
    rows.append([kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))])
    return Screen(text, kb.markup(rows))


async def on_screen(update: Update, ctx: Ctx, s: Session, data: fkb.FollowUp) -> None:
    await show(update, ctx, await screen(ctx, s))


async def on_set(update: Update, ctx: Ctx, s: Session, data: fkb.FollowUpSet) -> str:
    store = ctx.deps.store
    if data.escalate:
        tenant = await store.tenants.set_options(s.tid, escalate_after=data.value)
    else:
        tenant = await store.tenants.set_options(s.tid, callback_window=data.value)
    s = Session(s.env, tenant, s.lang, s.chat_id)
    await show(update, ctx, await screen(ctx, s))
    return tr(ctx, s, "admin.followup.saved")


async def start_chat(update: Update, ctx: Ctx, s: Session, data: fkb.FollowUpChat) -> str:
    group = await find_group(ctx.deps.store, s.tid, data.group)
    name = group_name(ctx, s.lang, group)
    await dialog.begin(update, ctx, s, KIND, "admin.followup.chat_prompt")
    dialog.remember(ctx, group=group.id, name=name)
    return CHAT


async def got_chat(update: Update, ctx: Ctx, env: AdminEnv) -> object:
    s = await dialog.current(update, ctx, env, KIND)
    if s is None:
        return ConversationHandler.END
    answer = await dialog.answer_text(ctx, s, update.effective_message)
    if answer is None:
        return CHAT
    chat = 0
    if answer.strip() not in ("-", "0"):
        try:
            chat = int(answer.replace(" ", ""))
        except ValueError:
            await dialog.ask(ctx, s, "admin.followup.chat_bad")
            return CHAT
        try:  # the bot must be in that chat to post there
            await ctx.bot.get_chat(chat)
        except TelegramError:
            await dialog.ask(ctx, s, "admin.followup.chat_unknown")
            return CHAT
    gid = str(dialog.recall(ctx, "group"))
    await dialog.finish(ctx, s.chat_id)
    try:
        await ctx.deps.store.groups.set_escalation_chat(s.tid, gid, chat)
    except (NotFound, InvalidInput):
        await ctx.bot.send_message(s.chat_id, tr(ctx, s, "admin.followup.chat_bad"))
        return ConversationHandler.END
    await ctx.bot.send_message(s.chat_id, tr(ctx, s, "admin.followup.saved"))
    await send_screen(ctx, s.chat_id, await screen(ctx, s))
    return ConversationHandler.END


ROUTES = {fkb.FollowUp: on_screen, fkb.FollowUpSet: on_set}
