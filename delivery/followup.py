"""The follow-up loop in the delivery pipeline: a missed call opens (or joins) its caller's
card, every change becomes EDIT jobs for the card's copies, due steps escalate, remind or
expire, and the PBX's answered and outbound calls resolve cards."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from delivery import cards
from delivery.queue import Copies, Job, Kind
from perezvon.texts import Catalogue
from store import Store
from store.cards import Card, Opened, Resolution, Step
from store.errors import NotFound
from store.events import EVENT, AnsweredEvent, CallEvent, FollowUp, OutboundEvent
from store.models import RecordedCall, Tenant

# An outbound call placed this long before the missed call still counts (PBX clocks differ).
CLOCK_SLACK = 60.0

CopiesTo = Callable[[Job, list[int]], Awaitable[Copies]]


async def open_card(store: Store, tenant: Tenant, event: CallEvent, rec: RecordedCall) -> Opened:
    """The card of a missed call (a new one, or the caller's open one); a new card at once
    takes the answered and outbound calls of its caller that arrived before it existed."""
    caller = cards.caller_key(tenant, event.caller)
    # «Позвонить» needs a number to call and a PBX link allowed to place calls.
    dial = bool(caller) and await store.ami.can_dial(tenant.id)
    opened = await store.followups.open_call(
        tenant.id,
        rec.call_id,
        caller,
        rec.group_id,
        rec.recorded_at,
        escalate_after=tenant.escalate_after * 60,
        window=tenant.callback_window * 3600,
        dial=dial,
    )
    if not opened.new or not caller:
        return opened
    early = await store.followups.take_early(tenant.id, caller)
    if not early:
        return opened
    for raw, at in early:
        try:
            kept = EVENT.validate_json(raw)
        except ValueError:
            continue
        if isinstance(kept, AnsweredEvent | OutboundEvent):
            await _to_card(store, tenant, opened.card, kept, at, early=True)
    card = await store.followups.get(tenant.id, opened.card.id)
    return Opened(card, True) if card is not None else opened


async def edit_copies(store: Store, tid: str, card_id: str) -> Copies | None:
    """One EDIT job per (bot, chat) holding a copy older than the card."""
    card = await store.followups.get(tid, card_id)
    if card is None:
        return None
    stale = {
        (c.bot, c.chat)
        for c in await store.followups.copies(tid, card_id)
        if c.shown < card.version
    }
    if not stale:
        return None
    return Copies(Job("", 0, tid, 0, Kind.EDIT, "card", call=card_id), sorted(stale))


class DueSteps:
    """What a "card_due" entry turns into: the escalation to the admins (with the card's
    buttons), the reminder to the claimer, or the card's expiry; each at most once."""

    def __init__(self, store: Store, cat: Catalogue, copies_to: CopiesTo) -> None:
        self._store = store
        self._cat = cat
        self._copies_to = copies_to

    async def copies(self, tid: str, card_id: str, step: str) -> Copies | None:
        fu = self._store.followups
        tenant = await self._store.tenants.get(tid)
        card = await fu.get(tid, card_id)
        if card is None:
            return None
        if step == Step.EXPIRE:
            await fu.resolve(tid, card_id, Resolution.EXPIRED)  # queues its own edits
            return None
        if step == Step.ESCALATE:
            if tenant.escalate_after <= 0:
                return None
            marked = await fu.mark(tid, card_id, Step.ESCALATE)
            if not marked.ok:
                return None
            card = marked.card or card  # rendered as it is now: its copies are not behind
            header = self._cat.t(tenant.lang, "card.escalated", minutes=tenant.escalate_after)
            text = await cards.render(self._store, self._cat, tenant, card, header)
            markup = cards.markup(self._cat, tenant, card, 0)
            chats = list(await self._store.admins.of_tenant(tid))
            extra = await self._escalation_chat(tid, card.group_id)
            if extra and extra not in chats:
                chats.append(extra)  # the group's own escalation chat, once
            template = Job("", 0, tid, 0, Kind.ADMIN, text, markup, call=card_id)
            template.shown = card.version
            return await self._copies_to(template, chats)
        if step == Step.REMIND:
            if not card.claimed_by or not (await fu.mark(tid, card_id, Step.REMIND)).ok:
                return None
            caller = html.escape(card.caller or "?", quote=False)
            text = self._cat.t(tenant.lang, "card.remind", caller=caller)
            markup = cards.markup(self._cat, tenant, card, card.claimed_by)
            template = Job("", 0, tid, 0, Kind.SERVICE, text, markup)
            return await self._copies_to(template, [card.claimed_by])
        return None

    async def _escalation_chat(self, tid: str, gid: str) -> int:
        try:
            return (await self._store.groups.get(tid, gid)).escalation_chat
        except NotFound:
            return 0


async def apply(store: Store, tenant: Tenant, event: FollowUp) -> bool:
    """Apply one answered or outbound call; False when its call id was applied before. With
    no open card of the number, the event is kept for a card about to be made."""
    fu = store.followups
    if await fu.seen_event(tenant.id, event.call_id):
        return False
    now = fu.now()
    at = event.started_at.timestamp() if isinstance(event.started_at, datetime) else now
    raw = event.caller if isinstance(event, AnsweredEvent) else event.callee
    number = cards.caller_key(tenant, raw)
    if isinstance(event, AnsweredEvent):
        await fu.answered(tenant.id, number, event.call_id, at)
    card = await fu.open_card_of(tenant.id, number)
    if card is not None:
        await _to_card(store, tenant, card, event, at)
    else:
        await fu.keep_early(tenant.id, number, event.model_dump_json(exclude_none=True), at)
    await fu.applied(tenant.id, event.call_id)
    return True


async def _to_card(
    store: Store, tenant: Tenant, card: Card, event: FollowUp, at: float, *, early: bool = False
) -> None:
    """What one answered or outbound call does to the caller's unresolved card."""
    fu = store.followups
    if early and at < card.first_seen - CLOCK_SLACK:
        return  # a call of this number from before its missed call: history only
    if isinstance(event, AnsweredEvent):
        await fu.resolve(tenant.id, card.id, Resolution.GOT_THROUGH, at=max(at, card.first_seen))
        return
    window = tenant.callback_window * 3600
    if not card.first_seen - CLOCK_SLACK <= at <= card.first_seen + window:
        return
    when = max(at, card.first_seen)
    if event.answered:
        await fu.resolve(
            tenant.id,
            card.id,
            Resolution.CALLED_BACK,
            extension=event.extension or "",
            talk_seconds=event.talk_seconds,
            at=when,
        )
    else:
        await fu.attempt(tenant.id, card.id, when)


async def apply_many(store: Store, tenant: Tenant, events: Sequence[FollowUp]) -> list[bool]:
    return [await apply(store, tenant, e) for e in events]
