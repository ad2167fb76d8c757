"""The weekly report's schedule (store/weekly.py): on/off, and taking a due week once: the
next week scheduled and the intake entry added together, by one of any number of takers."""

from __future__ import annotations

import asyncio

from store import Store, keys

DUE = 1_800_000_000


async def test_on_off_and_on_again_keeps_the_schedule(store: Store):
    assert await store.weekly.due_at("1") is None
    await store.weekly.switch_on("1", DUE)
    await store.weekly.switch_on("1", DUE + 999)  # already on: the schedule stays
    assert await store.weekly.due_at("1") == DUE
    await store.weekly.switch_off("1")
    assert await store.weekly.due_at("1") is None


async def test_a_due_week_is_taken_once_and_the_next_scheduled(store: Store):
    await store.weekly.switch_on("1", DUE)
    await store.weekly.switch_on("2", DUE + 3600)
    assert await store.weekly.due(DUE - 1) == []
    assert await store.weekly.due(DUE) == [("1", DUE)]
    nxt = DUE + 7 * 86_400
    # Two workers read the same due week and race to take it: one wins.
    got = await asyncio.gather(*(store.weekly.take([("1", DUE, nxt)]) for _ in range(5)))
    assert sorted(map(len, got)) == [0, 0, 0, 0, 1]
    assert await store.weekly.due_at("1") == nxt
    entries = await store.redis.xrange(keys.intake("1"))
    assert [f for _, f in entries] == [{"kind": "weekly", "tenant": "1", "until": str(DUE)}]
    # A taker with a stale reading (the week was taken meanwhile) takes nothing.
    assert await store.weekly.take([("1", DUE, nxt)]) == []
    assert len(await store.redis.xrange(keys.intake("1"))) == 1


async def test_switched_off_meanwhile_is_not_taken(store: Store):
    await store.weekly.switch_on("1", DUE)
    [(tid, due)] = await store.weekly.due(DUE)
    await store.weekly.switch_off("1")
    assert await store.weekly.take([(tid, due, DUE + 7 * 86_400)]) == []
    assert await store.weekly.due_at("1") is None


async def test_deleting_the_tenant_switches_it_off(store: Store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    await store.weekly.switch_on(tenant.id, DUE)
    await store.delete_tenant(tenant.id)
    assert await store.weekly.due_at(tenant.id) is None


async def test_a_stale_index_entry_is_corrected_not_taken(store: Store):
    """A crash after a week was taken left the index early: the next take sends nothing and
    moves the index to the tenant's real due time."""
    nxt = DUE + 7 * 86_400
    await store.weekly.switch_on("1", DUE)
    assert await store.weekly.take([("1", DUE, nxt)]) == ["1"]
    await store.redis.zadd(keys.WEEKLY_DUE, {"1": DUE})  # as if the index write was lost
    assert await store.weekly.due(DUE) == [("1", DUE)]
    assert await store.weekly.take([("1", DUE, nxt)]) == []
    assert await store.weekly.due(DUE) == []
    assert await store.weekly.due(nxt) == [("1", nxt)]
    assert len(await store.redis.xrange(keys.intake("1"))) == 1


async def test_switching_on_writes_the_index_first_and_keeps_an_existing_week(store: Store):
    await store.weekly.switch_on("1", DUE)
    assert await store.weekly.due(DUE) == [("1", DUE)]
    await store.weekly.switch_on("1", DUE - 999)  # already on: its week stands, the index too
    assert await store.weekly.due_at("1") == DUE
    assert await store.weekly.due(DUE) == [("1", DUE)]
    assert await store.weekly.due(DUE - 1) == []
