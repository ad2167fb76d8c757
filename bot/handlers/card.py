"""Presses on a missed-call card: «Перезвоню» claims it, «Перезвонил(а)» resolves it,
«Отказаться» gives a claim up. The store makes each change once; the edits of every copy go
through the delivery queue; the presser gets a short answer (answerCallbackQuery)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import Ctx
from bot.handlers.common import text
from bot.keyboards.callbacks import BadCallbackData
from bot.keyboards.card import Act, CardAct
from perezvon.texts import pick_lang
from store.errors import NotFound
from store.followup import Changed, Refused, Resolution
from store.models import SubStatus

ANSWERS = {
    Refused.GONE: "card.ans.gone",
    Refused.RESOLVED: "card.ans.resolved",
    Refused.TAKEN: "card.ans.taken",
    Refused.NOT_CLAIMER: "card.ans.taken",
    Refused.NOT_CLAIMED: "card.ans.not_claimed",
}
DONE = {Act.CLAIM: "card.ans.claimed", Act.DONE: "card.ans.done", Act.DROP: "card.ans.dropped"}


async def _actor(ctx: Ctx, tid: str, chat: int, user: int, fallback: str) -> str | None:
    """The name the card shows for this presser, or None when they may not act: the chat
    (or the user's own chat) is a subscriber of the tenant that was not disabled, or an admin."""
    store = ctx.deps.store
    for candidate in dict.fromkeys((user, chat)):
        sub = await store.subs.find(tid, candidate)
        if sub is not None and sub.status is not SubStatus.DISABLED:
            return sub.name if candidate == user and sub.name else fallback
    for candidate in dict.fromkeys((user, chat)):
        if await store.admins.is_admin(tid, candidate):
            return fallback
    return None


async def on_press(update: Update, ctx: Ctx) -> None:
    query = update.callback_query
    if query is None:
        return
    store = ctx.deps.store
    lang = pick_lang(query.from_user.language_code)
    try:
        data = CardAct.unpack(query.data)
        tenant = await store.tenants.get(data.tenant)
    except (BadCallbackData, NotFound):
        await query.answer(text(ctx, lang, "card.ans.gone"))
        return
    lang = tenant.lang
    user = query.from_user
    chat = query.message.chat.id if query.message else user.id
    name = await _actor(ctx, tenant.id, chat, user.id, user.full_name)
    if name is None:
        await query.answer(text(ctx, lang, "card.ans.forbidden"), show_alert=True)
        return
    fu = store.followups
    result: Changed
    if data.act is Act.CLAIM:
        result = await fu.claim(
            tenant.id, data.card, user.id, name, remind_after=tenant.escalate_after * 60
        )
    elif data.act is Act.DONE:
        result = await fu.resolve(tenant.id, data.card, Resolution.MANUAL, user=user.id, name=name)
    else:
        result = await fu.unclaim(tenant.id, data.card, user.id)
    if result.ok:
        await query.answer(text(ctx, lang, DONE[data.act]))
        return
    assert result.refused is not None
    who = result.card.claimed_name if result.card else ""
    await query.answer(text(ctx, lang, ANSWERS[result.refused], name=who or "?"))


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_press, pattern=CardAct.matches)]
