"""Pure parts: the lenient model's token buckets on a fake clock, the fault book, the update
queue, the validator."""

from __future__ import annotations

import pytest

from tg_emulator.conformance import BotApiSpec
from tg_emulator.faults import FaultBook, FaultSpecError
from tg_emulator.limits import RateLimiter
from tg_emulator.settings import RateLimits
from tg_emulator.updates import UpdateQueue


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_private_chat_bucket_refills_at_one_per_second():
    clock = FakeClock()
    limiter = RateLimiter(RateLimits.lenient(private_burst=3, private_per_second=1), clock)
    assert [limiter.acquire(1, 10, True) for _ in range(4)] == [0, 0, 0, 1]
    clock.now += 1.0
    assert limiter.acquire(1, 10, True) == 0
    assert limiter.acquire(1, 11, True) == 0  # another chat has its own bucket


def test_group_retry_after_is_whole_seconds_until_a_slot():
    clock = FakeClock()
    limiter = RateLimiter(RateLimits.lenient(group_per_minute=20), clock)
    assert all(limiter.acquire(1, -5, False) == 0 for _ in range(20))
    assert limiter.acquire(1, -5, False) == 3  # one slot per 3 seconds at 20/minute
    clock.now += 3
    assert limiter.acquire(1, -5, False) == 0


def test_disabled_limits_never_refuse():
    limiter = RateLimiter(RateLimits(enabled=False), FakeClock())
    assert {limiter.acquire(1, 10, True) for _ in range(100)} == {0}


def test_fault_book_counts_and_matching():
    book = FaultBook()
    book.add({"kind": "flood", "bot_id": 1, "count": 2, "retry_after": 3})
    assert book.take("flood", 2, 5, "sendmessage") is None  # another bot
    assert book.take("flood", 1, 5, "getme") is None  # storms hit sends only
    assert book.take("flood", 1, 5, "sendmessage").retry_after == 3
    assert book.take("flood", 1, 5, "sendmessage") is not None
    assert book.take("flood", 1, 5, "sendmessage") is None
    with pytest.raises(FaultSpecError):
        book.add({"kind": "drop", "count": 0})
    with pytest.raises(FaultSpecError):
        book.add({"kind": "drop", "bot_id": True})


def test_update_queue_offsets():
    queue = UpdateQueue()
    for i in range(5):
        queue.push("message", {"n": i})
    queue.confirm(3)
    assert [u["update_id"] for u in queue.select(100, None)] == [3, 4, 5]
    queue.confirm(-1)
    assert [u["update_id"] for u in queue.select(100, None)] == [5]


def test_validator_catches_missing_and_mistyped_fields():
    spec = BotApiSpec.load()
    user = {"id": 1, "is_bot": True, "first_name": "B"}
    assert spec.check_result("getMe", user) == []
    assert spec.check_result("getMe", {"id": 1, "first_name": "B"}) == [
        "result: User lacks required field is_bot"
    ]
    assert spec.check_result("getMe", {**user, "is_bot": "true"}) == [
        "result.is_bot: expected Boolean, got 'true'"
    ]
    message = {"message_id": 1, "date": 1_700_000_000_000, "chat": {"id": 1, "type": "private"}}
    assert spec.check_result("sendMessage", message) == [
        "result.date: 1700000000000 looks like milliseconds, not seconds"
    ]
    query = {"id": "1", "from": user}
    assert (
        "CallbackQuery lacks required field chat_instance"
        in spec.check(query, ["CallbackQuery"], "q")[0]
    )
    assert spec.check({**user, "extra": 1}, ["User"], "u") == ["u: User has unknown field extra"]
