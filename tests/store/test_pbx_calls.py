"""store/pbx_calls.py on every backend: a call's events fold into one record, frozen at its end;
a missed call by the step's rule is recorded and queued by the same script."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from store import Store, keys
from store.events import CallEvent
from store.pbx_calls import TTL_SECONDS, Folded, Judged, MissedRule, Step
from tests.intake_view import intake_fields


async def _tenant(store: Store) -> str:
    t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    return t.id


async def test_nothing_until_the_end_then_the_whole_record(store: Store):
    tid = await _tenant(store)
    new = Step("v:1", {"from": "74951234567", "at_new": "10.0"})
    up = Step("v:1", {"at_connected": "12.0"}, marks=("connected",))
    end = Step("v:1", {"at_disconnected": "30.0"}, final=True)
    assert (await store.pbx_calls.fold(tid, new)).record is None
    assert (await store.pbx_calls.fold(tid, up)).record is None
    record = (await store.pbx_calls.fold(tid, end)).record
    assert record == {"from": "74951234567", "at_new": "10.0", "at_connected": "12.0",
                      "connected": "1", "at_disconnected": "30.0"}  # fmt: skip
    ttl = await store.redis.ttl(keys.pbx_call(tid, "v:1"))
    assert 0 < ttl <= TTL_SECONDS


async def test_the_first_value_wins_and_empty_values_are_not_kept(store: Store):
    tid = await _tenant(store)
    await store.pbx_calls.fold(tid, Step("v:2", {"from": "111", "to": ""}))
    folded = await store.pbx_calls.fold(tid, Step("v:2", {"from": "222", "to": "333"}, final=True))
    assert folded == Folded({"from": "111", "to": "333"}, Judged.OPEN)


async def test_the_record_is_frozen_at_its_end_and_a_retried_end_sees_it_again(store: Store):
    tid = await _tenant(store)
    first = await store.pbx_calls.fold(tid, Step("v:3", {"at_new": "1.0"}, final=True))
    # A late (or retried) event after the end changes nothing and yields nothing.
    late = Step("v:3", {"at_connected": "2.0"}, marks=("connected",))
    assert await store.pbx_calls.fold(tid, late) == Folded()
    again = await store.pbx_calls.fold(tid, Step("v:3", {"at_disconnected": "9.0"}, final=True))
    assert first.record == again.record == {"at_new": "1.0"}


async def test_calls_and_tenants_do_not_share_records(store: Store):
    a, b = await _tenant(store), await _tenant(store)
    await store.pbx_calls.fold(a, Step("v:4", marks=("connected",)))
    assert (await store.pbx_calls.fold(b, Step("v:4", final=True))).record == {}
    assert (await store.pbx_calls.fold(a, Step("v:5", final=True))).record == {}
    assert (await store.pbx_calls.fold(a, Step("v:4", final=True))).record == {"connected": "1"}


async def test_concurrent_folds_of_one_call_lose_no_mark(store: Store):
    tid = await _tenant(store)
    steps = [Step("v:6", {f"f{i}": str(i)}, marks=(f"m{i}",)) for i in range(40)]
    await asyncio.gather(*(store.pbx_calls.fold(tid, s) for s in steps))
    record = (await store.pbx_calls.fold(tid, Step("v:6", final=True))).record
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
    got = [f.record for f in await store.pbx_calls.fold_many(tid, steps)]
    v8 = {"from": "111", "at_new": "1.0", "at_disconnected": "5.0"}
    assert got == [None, None, v8, {"at_new": "1.0"}, None, v8]
    assert (await store.pbx_calls.fold(tid, Step("v:9", final=True))).record == {
        "from": "222", "connected": "1"}  # fmt: skip
    assert await store.pbx_calls.fold_many(tid, []) == []


# The fold's own judging of a missed call (a vendor's MissedRule): fold, judge, record and queue
# in one script. The rule is Rostelecom's shape, spelled out so the store's test stands alone.
RULE = MissedRule(kind=("type", "incoming"), unless="connected", caller=("from", "from_pin"),
    called="to", group="group", started="at_new", ended="at_end")  # fmt: skip


def _end(cid: str, fields: dict[str, str] | None = None) -> Step:
    return Step(cid, fields or {}, final=True, missed=RULE)


async def _record(store: Store, tid: str, cid: str) -> dict[str, str]:
    """The call's record as kept (the script answers only a status for a call it recorded)."""
    record = await store.redis.hgetall(keys.pbx_call(tid, cid))
    assert record.pop("_ended") == "1"
    return record


async def _entries(store: Store, tid: str) -> list[str]:
    return [f["call_id"] for f in await intake_fields(store.redis, tid) if f["kind"] == "call"]


async def test_a_missed_end_is_recorded_and_queued_by_the_fold_itself(store: Store):
    tid = await _tenant(store)
    new = Step("v:20", {"type": "incoming", "from": "7495123", "to": "+7495", "at_new": "100.0"})
    assert await store.pbx_calls.fold(tid, new) == Folded()
    assert await _entries(store, tid) == []
    folded = await store.pbx_calls.fold(tid, _end("v:20", {"at_end": "125.0"}))
    assert folded == Folded(judged=Judged.RECORDED)
    call = await store.calls.get(tid, "v:20")
    assert call is not None and call.group_id == "default"
    expected = RULE.event("v:20", await _record(store, tid, "v:20"))
    assert CallEvent.model_validate_json(call.payload) == expected
    assert CallEvent.model_validate_json(call.payload).wait_seconds == 25.0
    assert await _entries(store, tid) == ["v:20"]
    assert [c.call_id for c in await store.calls.recent(tid)] == ["v:20"]


async def test_a_retried_end_is_a_duplicate_and_queues_nothing_more(store: Store):
    tid = await _tenant(store)
    end = _end("v:21", {"type": "incoming", "from": "111", "at_end": "5.0"})
    assert (await store.pbx_calls.fold(tid, end)).judged is Judged.RECORDED
    again = await store.pbx_calls.fold(tid, end)
    assert again.judged is Judged.DUPLICATE
    # Both in one batch as well: the first records, the retry is its duplicate.
    twice = await store.pbx_calls.fold_many(tid, [_end("v:22", end.fields), _end("v:22")])
    assert [f.judged for f in twice] == [Judged.RECORDED, Judged.DUPLICATE]
    assert await _entries(store, tid) == ["v:21", "v:22"]


async def test_a_connect_before_the_end_leaves_the_verdict_to_the_caller(store: Store):
    tid = await _tenant(store)
    await store.pbx_calls.fold(tid, Step("v:23", {"type": "incoming", "from": "111"}))
    await store.pbx_calls.fold(tid, Step("v:23", {"at_up": "3.0"}, marks=("connected",)))
    folded = await store.pbx_calls.fold(tid, _end("v:23", {"at_end": "9.0"}))
    assert folded.judged is Judged.OPEN and folded.record["connected"] == "1"
    # A connect reported only after the end changes nothing: the missed call stays recorded.
    await store.pbx_calls.fold(tid, _end("v:24", {"type": "incoming", "from": "111"}))
    late = Step("v:24", {"at_up": "3.0"}, marks=("connected",))
    assert await store.pbx_calls.fold(tid, late) == Folded()
    assert (await store.pbx_calls.fold(tid, _end("v:24"))).judged is Judged.DUPLICATE
    assert await _entries(store, tid) == ["v:24"]


async def test_a_new_or_switched_off_group_is_left_to_intake(store: Store):
    tid = await _tenant(store)
    fields = {"type": "incoming", "from": "111", "group": "sales"}
    # Intake creates and announces a group it has not seen, and counts a switched-off one.
    assert (await store.pbx_calls.fold(tid, _end("v:25", fields))).judged is Judged.OPEN
    await store.groups.ensure(tid, "sales", notify=False)
    assert (await store.pbx_calls.fold(tid, _end("v:26", fields))).judged is Judged.OPEN
    await store.groups.set_notify(tid, "sales", True)
    assert (await store.pbx_calls.fold(tid, _end("v:27", fields))).judged is Judged.RECORDED
    assert (await store.calls.get(tid, "v:27")).group_id == "sales"
    assert await _entries(store, tid) == ["v:27"]


async def test_an_earlier_event_naming_another_group_is_left_to_the_caller(store: Store):
    # The script's keys are named before it runs, from the end's own group: when the record
    # kept an earlier event's group instead, the call is judged (and accepted) outside.
    tid = await _tenant(store)
    await store.groups.ensure(tid, "a", notify=True)
    await store.groups.ensure(tid, "b", notify=True)
    await store.pbx_calls.fold(tid, Step("v:28", {"type": "incoming", "from": "1", "group": "a"}))
    folded = await store.pbx_calls.fold(tid, _end("v:28", {"group": "b"}))
    assert folded.judged is Judged.OPEN and folded.record["group"] == "a"
    assert await _entries(store, tid) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "incoming", "from": "74951234567", "to": "+7495", "at_new": "1767261600.0",
         "at_end": "1767261625.0"},
        {"type": "incoming", "from_pin": "103", "at_new": "951782400.5", "at_end": "951868801.25"},
        {"type": "incoming", "from": "1", "at_new": "1767261625.123456", "at_end": "1767261600"},
        {"type": "incoming", "from": "1", "at_new": "4102444799.999999", "at_end": "4102444800"},
        {"type": "incoming", "from": "1", "from_pin": "2", "at_end": "1709164800.0"},
        {"type": "incoming", "from": "1", "at_new": "1", "at_end": "100000"},  # over a day
        {"type": "incoming", "from": "Иван/\"\\", "to": "x", "group": "g"},
        {"type": "incoming"},  # nobody to call back
        {"type": "outbound", "from": "1"},
        {"from": "1"},
    ],
)  # fmt: skip
async def test_the_script_and_the_rule_in_python_judge_alike(store: Store, fields):
    tid = await _tenant(store)
    await store.groups.ensure(tid, "g", notify=True)
    folded = await store.pbx_calls.fold(tid, _end("v:30", fields))
    expected = RULE.event("v:30", await _record(store, tid, "v:30"))
    call = await store.calls.get(tid, "v:30")
    if expected is None:
        assert folded.judged is Judged.OPEN and call is None
        assert folded.record == await _record(store, tid, "v:30")
        return
    assert folded.judged is Judged.RECORDED
    assert CallEvent.model_validate_json(call.payload) == expected
    assert call.group_id == (expected.group or "default")


def test_the_rule_in_python():
    record = {"type": "incoming", "from_pin": "7", "at_new": "0.5", "at_end": "86401.0",
              "to": "+7495", "group": "g"}  # fmt: skip
    event = RULE.event("v:1", record)
    assert event == CallEvent(
        call_id="v:1", caller="7", called="+7495", group="g", wait_seconds=86_400.0,
        started_at=datetime(1970, 1, 1, 0, 0, 0, 500_000, UTC),
        ended_at=datetime(1970, 1, 2, 0, 0, 1, tzinfo=UTC),
    )  # fmt: skip
    assert RULE.event("v:1", {**record, "connected": "1"}) is None
    assert RULE.event("v:1", {**record, "at_end": "0.25"}).wait_seconds is None


async def test_steps_of_several_rules_and_none_in_one_batch_are_each_judged_by_their_own(
    store: Store,
):
    tid = await _tenant(store)
    other = MissedRule(kind=("dir", "in"), unless="up", caller=("num",))
    steps = [
        Step("v:40", {"type": "incoming", "from": "1"}),
        Step("v:41", {"dir": "in", "num": "2"}, final=True, missed=other),
        _end("v:40"),
        Step("v:42", {"type": "incoming", "from": "3"}, final=True),  # no rule: the caller's
        _end("v:43", {"dir": "in", "num": "4"}),  # RULE does not see a missed call in it
        Step("v:44", {"dir": "in", "num": "5"}, final=True, missed=other),
    ]
    got = [f.judged for f in await store.pbx_calls.fold_many(tid, steps)]
    assert got == [Judged.OPEN, Judged.RECORDED, Judged.RECORDED, Judged.OPEN, Judged.OPEN,
                   Judged.RECORDED]  # fmt: skip
    assert await _entries(store, tid) == ["v:41", "v:40", "v:44"]
    assert CallEvent.model_validate_json((await store.calls.get(tid, "v:44")).payload).caller == "5"
