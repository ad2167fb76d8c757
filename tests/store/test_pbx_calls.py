"""store/pbx_calls.py on every backend: a call's events fold into one record, frozen at its end."""

from __future__ import annotations

import asyncio

from store import Store, keys
from store.pbx_calls import TTL_SECONDS, Step


async def _tenant(store: Store) -> str:
    t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    return t.id


async def test_nothing_until_the_end_then_the_whole_record(store: Store):
    tid = await _tenant(store)
    new = Step("v:1", {"from": "74951234567", "at_new": "10.0"})
    up = Step("v:1", {"at_connected": "12.0"}, marks=("connected",))
    end = Step("v:1", {"at_disconnected": "30.0"}, final=True)
    assert await store.pbx_calls.fold(tid, new) is None
    assert await store.pbx_calls.fold(tid, up) is None
    record = await store.pbx_calls.fold(tid, end)
    assert record == {"from": "74951234567", "at_new": "10.0", "at_connected": "12.0",
                      "connected": "1", "at_disconnected": "30.0"}  # fmt: skip
    ttl = await store.redis.ttl(keys.pbx_call(tid, "v:1"))
    assert 0 < ttl <= TTL_SECONDS


async def test_the_first_value_wins_and_empty_values_are_not_kept(store: Store):
    tid = await _tenant(store)
    await store.pbx_calls.fold(tid, Step("v:2", {"from": "111", "to": ""}))
    record = await store.pbx_calls.fold(tid, Step("v:2", {"from": "222", "to": "333"}, final=True))
    assert record == {"from": "111", "to": "333"}


async def test_the_record_is_frozen_at_its_end_and_a_retried_end_sees_it_again(store: Store):
    tid = await _tenant(store)
    first = await store.pbx_calls.fold(tid, Step("v:3", {"at_new": "1.0"}, final=True))
    # A late (or retried) event after the end changes nothing and yields nothing.
    late = Step("v:3", {"at_connected": "2.0"}, marks=("connected",))
    assert await store.pbx_calls.fold(tid, late) is None
    again = await store.pbx_calls.fold(tid, Step("v:3", {"at_disconnected": "9.0"}, final=True))
    assert first == again == {"at_new": "1.0"}


async def test_calls_and_tenants_do_not_share_records(store: Store):
    a, b = await _tenant(store), await _tenant(store)
    await store.pbx_calls.fold(a, Step("v:4", marks=("connected",)))
    assert await store.pbx_calls.fold(b, Step("v:4", final=True)) == {}
    assert await store.pbx_calls.fold(a, Step("v:5", final=True)) == {}
    assert await store.pbx_calls.fold(a, Step("v:4", final=True)) == {"connected": "1"}


async def test_concurrent_folds_of_one_call_lose_no_mark(store: Store):
    tid = await _tenant(store)
    steps = [Step("v:6", {f"f{i}": str(i)}, marks=(f"m{i}",)) for i in range(40)]
    await asyncio.gather(*(store.pbx_calls.fold(tid, s) for s in steps))
    record = await store.pbx_calls.fold(tid, Step("v:6", final=True))
    assert record == {**{f"f{i}": str(i) for i in range(40)}, **{f"m{i}": "1" for i in range(40)}}


async def test_many_steps_in_one_fold_answer_as_if_folded_one_by_one(store: Store):
    tid = await _tenant(store)
    await store.pbx_calls.fold(tid, Step("v:7", {"at_new": "1.0"}, final=True))
    steps = [
        Step("v:8", {"from": "111", "at_new": "1.0"}),
        Step("v:9", {"from": "222"}, marks=("connected",)),
        Step("v:8", {"from": "999", "at_disconnected": "5.0"}, final=True),
        Step("v:7", {"at_connected": "2.0"}, marks=("connected",), final=True),  # after its end
        Step("v:10", {}),
        Step("v:8", {"at_disconnected": "6.0"}, final=True),  # a retry in the same batch
    ]
    got = await store.pbx_calls.fold_many(tid, steps)
    v8 = {"from": "111", "at_new": "1.0", "at_disconnected": "5.0"}
    assert got == [None, None, v8, {"at_new": "1.0"}, None, v8]
    assert await store.pbx_calls.fold(tid, Step("v:9", final=True)) == {
        "from": "222", "connected": "1"}  # fmt: skip
    assert await store.pbx_calls.fold_many(tid, []) == []
