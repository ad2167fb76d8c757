"""A missed-call card as every chat sees it: the call's message plus its follow-up lines, and
the buttons its state allows (the claimer's chat also gets «Отказаться»)."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.keyboards.card import Act, card_markup
from delivery.callerid import is_hidden
from delivery.phone import region_of_zone
from delivery.render import duration, fit, render_call
from perezvon.texts import Catalogue
from store import Store
from store.cards import Card, History, Resolution, State, normalise
from store.errors import NotFound
from store.events import CallEvent
from store.models import DEFAULT_GROUP, Group, RecordedCall, Tenant


def caller_key(tenant: Tenant, raw: str) -> str:
    """The caller as the follow-up record compares them ("" for a hidden number)."""
    return "" if is_hidden(raw) else normalise(raw, region_of_zone(tenant.tz))


def _time(cat: Catalogue, tenant: Tenant, ts: float, key: str = "card.time_format") -> str:
    return datetime.fromtimestamp(ts, ZoneInfo(tenant.tz)).strftime(cat.t(tenant.lang, key))


def _who(cat: Catalogue, tenant: Tenant, card: Card) -> str:
    who = card.resolved_name or (f"#{card.extension}" if card.extension else "")
    if card.resolved_name and card.extension:
        who = f"{card.resolved_name} (#{card.extension})"
    return html.escape(who or cat.t(tenant.lang, "card.someone"), quote=False)


def follow_lines(cat: Catalogue, tenant: Tenant, card: Card, history: History) -> list[str]:
    """The lines under the call's message: repeats, history, attempts, state."""
    lang, t = tenant.lang, cat.t
    lines: list[str] = []
    if card.count > 1:
        lines.append(
            t(lang, "card.repeat", count=card.count, time=_time(cat, tenant, card.last_seen))
        )
    before = history.calls_30d - card.count
    if before > 0 or history.last_answered or history.last_called_back:
        answered = back = ""
        if history.last_answered:
            when = _time(cat, tenant, history.last_answered, "card.date_format")
            answered = t(lang, "card.history.answered", when=when)
        if history.last_called_back:
            when = _time(cat, tenant, history.last_called_back, "card.date_format")
            back = t(lang, "card.history.back", when=when)
        lines.append(t(lang, "card.history", calls=max(before, 0), answered=answered, back=back))
    if card.attempts and card.state is not State.RESOLVED:
        at = _time(cat, tenant, card.last_attempt_at)
        if card.attempts == 1:
            lines.append(t(lang, "card.attempt", time=at))
        else:
            lines.append(t(lang, "card.attempts", count=card.attempts, time=at))
    if card.state is State.CLAIMED:
        name = html.escape(card.claimed_name, quote=False)
        lines.append(t(lang, "card.claimed", name=name, time=_time(cat, tenant, card.claimed_at)))
    elif card.state is State.RESOLVED:
        at = _time(cat, tenant, card.resolved_at)
        if card.resolution is Resolution.CALLED_BACK:
            after = duration(cat, lang, card.time_to_callback or 0)
            line = t(lang, "card.called_back", who=_who(cat, tenant, card), time=at, after=after)
            if card.talk_seconds:
                line += t(lang, "card.talk", talk=duration(cat, lang, card.talk_seconds))
            lines.append(line)
        elif card.resolution is Resolution.GOT_THROUGH:
            lines.append(t(lang, "card.got_through", time=at))
        elif card.resolution is Resolution.EXPIRED:
            lines.append(t(lang, "card.expired", hours=tenant.callback_window))
        else:
            lines.append(t(lang, "card.manual", who=_who(cat, tenant, card), time=at))
    return lines


def acts_for(card: Card, chat: int) -> list[Act]:
    """Buttons of the card in this chat: a private chat is its user's (chat id = user id).
    «Позвонить» where the PBX can dial, for whoever may still call (not past a claim)."""
    call = [Act.CALL] if card.dial else []
    if card.state is State.OPEN:
        return [*call, Act.CLAIM, Act.DONE]
    if card.state is State.CLAIMED:
        if chat == card.claimed_by or chat < 0:
            return [*call, Act.DONE, Act.DROP]
        return [Act.DONE]
    return []


def markup(cat: Catalogue, tenant: Tenant, card: Card, chat: int) -> dict[str, object] | None:
    return card_markup(cat, tenant.lang, tenant.id, card.id, acts_for(card, chat))


async def render(
    store: Store,
    cat: Catalogue,
    tenant: Tenant,
    card: Card,
    header: str = "",
    *,
    call: tuple[RecordedCall, CallEvent] | None = None,
    group: Group | None = None,
) -> str:
    """The card's text now: the first call's message (as first sent) and the follow-up lines.

    `call` and `group`, when the caller has just read them (fan-out), spare their re-reads."""
    if call is not None and call[0].call_id == card.call_id:
        rec, event = call
        recorded_at = rec.recorded_at
    elif (rec := await store.calls.get(tenant.id, card.call_id)) is not None:
        event = CallEvent.model_validate_json(rec.payload)
        recorded_at = rec.recorded_at
    else:  # the call's record expired: the card still says who called
        event = CallEvent(call_id=card.call_id, caller=card.caller or "-")
        recorded_at = card.first_seen
    if group is not None and group.id == card.group_id:
        name = group.name
    else:
        try:
            name = (await store.groups.get(tenant.id, card.group_id)).name
        except NotFound:
            name = ""
    if not name:
        name = (
            cat.t(tenant.lang, "group.default_name")
            if card.group_id == DEFAULT_GROUP
            else card.group_id
        )
    base = render_call(cat, tenant.lang, tenant.tz, event, name, recorded_at, tenant.name)
    history = await store.followups.history(tenant.id, card.caller)
    extra = follow_lines(cat, tenant, card, history)
    head = [header, ""] if header else []
    return fit([*head, *base.split("\n"), *(["", *extra] if extra else [])])
