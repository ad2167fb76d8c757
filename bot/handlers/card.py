"""Presses on a missed-call card: «Перезвоню» claims it, «Перезвонил(а)» resolves it,
«Отказаться» gives a claim up, «Позвонить» claims it and asks the process holding the tenant's
AMI link to ring the presser's extension and bridge it to the caller (perezvon/ami_dial.py).
The store makes each change once; the edits of every copy go through the delivery queue; the
presser gets a short answer (answerCallbackQuery)."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import Ctx
from bot.handlers.common import text
from bot.keyboards.callbacks import BadCallbackData
from bot.keyboards.card import Act, CardAct
from perezvon.texts import pick_lang
from store.cards import Card, Changed, Refused, Resolution, State
from store.errors import NotFound
from store.events import CallEvent
from store.models import SubStatus, Tenant

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
    if data.act is Act.CALL:
        said = await _call(ctx, tenant, data.card, user.id, name)
        await query.answer(text(ctx, lang, said.key, **said.values), show_alert=said.alert)
        return
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


async def _extension(ctx: Ctx, tid: str, user: int) -> str:
    sub = await ctx.deps.store.subs.find(tid, user)
    return sub.extension if sub is not None else ""


async def _number(ctx: Ctx, tenant: Tenant, card: Card) -> str:
    """The caller's number as the PBX sent it (its dialplan dials that form back)."""
    rec = await ctx.deps.store.calls.get(tenant.id, card.call_id)
    if rec is not None:
        return CallEvent.model_validate_json(rec.payload).caller
    return card.caller


@dataclass(frozen=True, slots=True)
class Said:
    """The answer to a «Позвонить» press: its text key, values, and whether it is an alert
    (something the presser has to fix)."""

    key: str
    values: dict[str, str] = field(default_factory=dict)
    alert: bool = False


async def _call(ctx: Ctx, tenant: Tenant, card_id: str, user: int, name: str) -> Said:
    store = ctx.deps.store
    card = await store.followups.get(tenant.id, card_id)
    if card is None:
        return Said("card.ans.gone")
    if card.state is State.RESOLVED:
        return Said("card.ans.resolved")
    if card.state is State.CLAIMED and card.claimed_by != user:
        return Said("card.ans.taken", {"name": card.claimed_name or "?"})
    link = await store.ami.dialer_of(tenant.id) if card.caller else None
    if link is None:
        return Said("card.ans.no_pbx", alert=True)
    ext = await _extension(ctx, tenant.id, user)
    if not ext:
        return Said("card.ans.no_ext", alert=True)
    if card.state is State.OPEN:  # who calls has taken the call
        claimed = await store.followups.claim(
            tenant.id, card.id, user, name, remind_after=tenant.escalate_after * 60
        )
        if not claimed.ok:
            who = claimed.card.claimed_name if claimed.card else ""
            return Said(ANSWERS[claimed.refused or Refused.TAKEN], {"name": who or "?"})
    number = await _number(ctx, tenant, card)
    if await store.dials.request(tenant.id, link.id, card.id, user, ext, number) is None:
        return Said("card.ans.call_pending")
    return Said("card.ans.calling", {"ext": ext})


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_press, pattern=CardAct.matches)]
