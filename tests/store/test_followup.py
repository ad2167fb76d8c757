"""The follow-up record: one card per caller while unresolved, transitions atomic and once."""

from __future__ import annotations

import asyncio

from store import keys
from store.cards import Refused, Resolution, State, Step, parse_due

# Every transition queues its "card" intake entry in the same MULTI: one slot only later.


async def test_a_repeat_call_updates_the_open_card(store, clock):
    fu = store.followups
    first = await fu.open_call("1", "c1", "+77011234567", "sales", clock.now)
    assert first.new and first.card.count == 1 and first.card.state is State.OPEN
    clock.advance(60)
    again = await fu.open_call("1", "c2", "+77011234567", "sales", clock.now)
    assert not again.new and again.card.id == first.card.id
    assert again.card.count == 2 and again.card.version == 2
    stored = await fu.get("1", first.card.id)
    assert (stored.count, stored.first_seen, stored.last_seen) == (2, clock.now - 60, clock.now)
    # A repeat of a call id changes nothing and answers the same.
    twice = await fu.open_call("1", "c2", "+77011234567", "sales", clock.now)
    assert not twice.new and (await fu.get("1", first.card.id)).count == 2
    assert (await fu.open_call("1", "c1", "+77011234567", "sales", clock.now)).new
    # Another caller, or a hidden one, has a card of their own.
    other = await fu.open_call("1", "c3", "+74951234567", "sales", clock.now)
    hidden = [await fu.open_call("1", f"h{i}", "", "sales", clock.now) for i in range(2)]
    assert len({other.card.id, first.card.id, *(h.card.id for h in hidden)}) == 4


async def test_a_new_card_only_after_the_previous_one_was_resolved(store, clock):
    fu = store.followups
    first = await fu.open_call("1", "c1", "+74951234567", "g", clock.now)
    done = await fu.resolve("1", first.card.id, Resolution.MANUAL, user=5, name="Оля")
    assert done.ok and done.card.state is State.RESOLVED
    assert done.card.resolution is Resolution.MANUAL and done.card.resolved_name == "Оля"
    assert await fu.open_card_of("1", "+74951234567") is None
    second = await fu.open_call("1", "c2", "+74951234567", "g", clock.now)
    assert second.new and second.card.id != first.card.id
    assert (await fu.history("1", "+74951234567")).calls_30d == 2


async def test_claim_unclaim_resolve_are_recorded_once_with_who_and_when(store, clock):
    fu = store.followups
    card = (await fu.open_call("1", "c1", "+74951234567", "g", clock.now)).card
    clock.advance(30)
    claimed = await fu.claim("1", card.id, 11, "Ольга")
    assert claimed.ok and claimed.card.state is State.CLAIMED
    assert (claimed.card.claimed_by, claimed.card.claimed_at) == (11, clock.now)
    other = await fu.claim("1", card.id, 22, "Пётр")
    assert other.refused is Refused.TAKEN and other.card.claimed_name == "Ольга"
    assert (await fu.unclaim("1", card.id, 22)).refused is Refused.TAKEN
    assert (await fu.unclaim("1", card.id, 11)).card.state is State.OPEN
    assert (await fu.claim("1", card.id, 22, "Пётр")).card.claimed_name == "Пётр"
    clock.advance(150)
    done = await fu.resolve("1", card.id, Resolution.CALLED_BACK, extension="102", talk_seconds=130)
    # The claimer is the one who called back, even when the PBX names only an extension.
    assert (done.card.resolved_by, done.card.resolved_name, done.card.extension) == (
        22, "Пётр", "102"
    )  # fmt: skip
    assert done.card.time_to_callback == 180 and done.card.talk_seconds == 130
    assert (await fu.resolve("1", card.id, Resolution.MANUAL)).refused is Refused.RESOLVED
    assert (await fu.claim("1", card.id, 11, "Ольга")).refused is Refused.RESOLVED
    assert (await fu.history("1", "+74951234567")).last_called_back == clock.now
    assert (await fu.claim("1", "999", 11, "Ольга")).refused is Refused.GONE


async def test_every_change_queues_one_card_entry(store, clock, redis):
    fu = store.followups
    card = (await fu.open_call("1", "c1", "+74951234567", "g", clock.now)).card
    before = await redis.xlen(keys.intake("1"))
    await fu.claim("1", card.id, 1, "A")
    await fu.claim("1", card.id, 2, "B")  # refused: nothing queued
    await fu.attempt("1", card.id, clock.now)
    await fu.resolve("1", card.id, Resolution.MANUAL)
    entries = (await redis.xrange(keys.intake("1")))[before:]
    assert [f for _, f in entries] == [{"kind": "card", "tenant": "1", "card": card.id}] * 3
    assert (await fu.get("1", card.id)).attempts == 1


async def test_two_employees_claim_at_once_one_wins_the_other_learns_who(store, clock):
    fu = store.followups
    for round_ in range(10):
        card = (await fu.open_call("1", f"c{round_}", "", "g", clock.now)).card
        results = await asyncio.gather(*(fu.claim("1", card.id, u, f"u{u}") for u in range(1, 6)))
        winners = [r for r in results if r.ok]
        assert len(winners) == 1
        winner = winners[0].card.claimed_by
        assert all(r.card.claimed_by == winner for r in results if not r.ok)
        assert {r.refused for r in results if not r.ok} == {Refused.TAKEN}
        assert (await fu.get("1", card.id)).claimed_by == winner


async def test_resolutions_race_once(store, clock):
    fu = store.followups
    card = (await fu.open_call("1", "c1", "", "g", clock.now)).card
    kinds = [Resolution.MANUAL, Resolution.CALLED_BACK, Resolution.GOT_THROUGH] * 3
    results = await asyncio.gather(*(fu.resolve("1", card.id, k) for k in kinds))
    assert sum(r.ok for r in results) == 1


async def test_due_steps_are_scheduled_and_dropped(store, clock, redis):
    fu = store.followups
    card = (await fu.open_call("1", "c1", "", "g", clock.now, escalate_after=900)).card
    due = dict(await redis.zrange(keys.FOLLOWUP_DUE, 0, -1, withscores=True))
    steps = {parse_due(m).step: score for m, score in due.items()}
    assert steps == {Step.ESCALATE: clock.now + 900, Step.EXPIRE: clock.now + 24 * 3600}
    assert (await fu.mark("1", card.id, Step.ESCALATE)).ok
    assert not (await fu.mark("1", card.id, Step.ESCALATE)).ok  # once
    await fu.claim("1", card.id, 1, "A", remind_after=900)
    assert any(
        parse_due(m).step is Step.REMIND for m in await redis.zrange(keys.FOLLOWUP_DUE, 0, -1)
    )
    await fu.resolve("1", card.id, Resolution.MANUAL)
    assert await redis.zcard(keys.FOLLOWUP_DUE) == 0
    assert await fu.recent("1", open_only=True) == []
    assert [c.id for c in await fu.recent("1")] == [card.id]


async def test_copies_are_recorded_shown_and_forgotten(store, clock):
    fu = store.followups
    card = (await fu.open_call("1", "c1", "", "g", clock.now)).card
    assert await fu.add_copy("1", card.id, 100, 7, "", 55, 1) == card.version
    await fu.add_copy("1", card.id, -200, 8, "3", 66, 1)
    assert await fu.add_copy("1", "no-such-card", 100, 7, "", 56, 1) is None
    assert await fu.copies("1", "no-such-card") == []  # nothing recorded without its card
    copies = await fu.copies("1", card.id)
    assert [(c.chat, c.bot, c.message_id, c.bid, c.shown) for c in copies] == [
        (-200, 8, 66, "3", 1), (100, 7, 55, "", 1)
    ]  # fmt: skip
    await fu.shown("1", card.id, copies[1], 4)
    await fu.forget_copy("1", card.id, copies[0])
    await fu.shown("1", card.id, copies[0], 4)  # forgotten stays forgotten
    assert [(c.chat, c.shown) for c in await fu.copies("1", card.id)] == [(100, 4)]


async def test_answered_inbound_goes_to_the_history(store, clock):
    fu = store.followups
    await fu.answered("1", "+74951234567", "a1", clock.now)
    assert await fu.applied("1", "a1") and not await fu.applied("1", "a1")
    history = await fu.history("1", "+74951234567")
    assert (history.calls_30d, history.last_answered) == (1, clock.now)


async def test_deleting_a_tenant_removes_its_cards_and_the_rest_expires(store, clock, keys_of):
    tenant, _ = await store.tenants.create("Gone", "Europe/Moscow", "ru")
    fu = store.followups
    card = (await fu.open_call(tenant.id, "c1", "+74951234567", "default", clock.now)).card
    await fu.add_copy(tenant.id, card.id, 5, 7, "", 1, 1)
    await fu.resolve(tenant.id, card.id, Resolution.CALLED_BACK)
    await fu.answered(tenant.id, "+74951234567", "a1", clock.now)
    await store.delete_tenant(tenant.id)
    assert await fu.get(tenant.id, card.id) is None and await fu.copies(tenant.id, card.id) == []
    left = [k for k in await keys_of(store.redis) if "{t" + tenant.id + "}" in k]
    ttls = [await store.redis.ttl(k) for k in left]
    assert left and all(t > 0 for t in ttls), dict(zip(left, ttls, strict=True))
