"""The strict limit model (sliding windows) on a controlled clock, and over HTTP: sends and edits
alike, exact 429 answers, per-bot and paid rates, faults on edits."""

from __future__ import annotations

import asyncio
import bisect
import random

import aiohttp
import pytest

from tg_emulator import EmulatorSettings, RateLimits
from tg_emulator.client import EmulatorControlError
from tg_emulator.limits import BotRates, RateLimiter, SlidingWindow, window_of


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The largest number of `times` inside one half-open window [t, t + seconds)."""
    times = sorted(times)
    return max(bisect.bisect_left(times, t + seconds) - i for i, t in enumerate(times))


def hammer(limiter: RateLimiter, clock: FakeClock, chats: list[int], steps: int, seed: int):
    """Random attempts at random small intervals; returns (accepted, refused) as (time, chat)."""
    rnd = random.Random(seed)
    accepted, refused = [], []
    for _ in range(steps):
        clock.now += rnd.choice([0.0, 0.0, 0.001, 0.004, 0.01, 0.033, 0.1, 0.37])
        chat = rnd.choice(chats)
        (refused if limiter.acquire(1, chat, chat > 0) else accepted).append((clock.now, chat))
    return accepted, refused


@pytest.mark.parametrize("seed", range(5))
def test_no_window_of_the_bot_ever_holds_more_than_30_and_a_refusal_means_full(seed):
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(private_per_second=1e9), clock)
    accepted, refused = hammer(limiter, clock, list(range(1, 200)), 5000, seed)
    times = [t for t, _ in accepted]
    assert most_in_any_window(times, 1.0) == 30
    # Never stricter than needed: each refusal came when the last second already held 30.
    for t, _ in refused:
        inside = bisect.bisect_right(times, t) - bisect.bisect_right(times, t - 1.0)
        assert inside == 30


@pytest.mark.parametrize("seed", range(3))
def test_no_private_chat_or_group_window_is_ever_exceeded(seed):
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(bot_per_second=1e6), clock)
    chats = [11, 12, 13, -500, -501]
    accepted, _ = hammer(limiter, clock, chats, 20_000, seed)
    for chat in chats:
        times = [t for t, c in accepted if c == chat]
        seconds, count = (1.0, 1) if chat > 0 else (60.0, 20)
        assert most_in_any_window(times, seconds) == count


def test_the_31st_send_waits_exactly_until_the_first_leaves_the_window():
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock)
    for chat in range(1, 31):  # at 1000.000, 1000.010, ... 1000.290
        clock.now = 1000.0 + (chat - 1) / 100
        assert limiter.acquire(7, chat, True) == 0
    clock.now = 1000.999
    assert limiter.acquire(7, 31, True) == 1  # at least one whole second, as Telegram says
    clock.now = 1001.0  # exactly one window after the first send: the window is half-open
    assert limiter.acquire(7, 31, True) == 0
    assert limiter.acquire(7, 32, True) == 1  # the second of the 30 (1000.010) is still inside
    clock.now = 1001.01
    assert limiter.acquire(7, 32, True) == 0
    assert limiter.acquire(8, 1, True) == 0  # another bot has its own window


def test_a_refused_send_spends_nothing():
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock)
    assert limiter.acquire(1, 10, True) == 0
    for _ in range(50):
        clock.now += 0.01
        assert limiter.acquire(1, 10, True) == 1
    clock.now = 1001.0
    assert limiter.acquire(1, 10, True) == 0


def test_group_window_is_20_in_any_60_seconds_with_exact_retry_after():
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock)
    for _ in range(20):
        assert limiter.acquire(1, -5, False) == 0
        clock.now += 0.5
    # Now 1010.0; the first send (1000.0) leaves the window at 1060.0.
    assert limiter.acquire(1, -5, False) == 50
    clock.now = 1059.5
    assert limiter.acquire(1, -5, False) == 1
    clock.now = 1060.0
    assert limiter.acquire(1, -5, False) == 0
    assert limiter.acquire(1, -5, False) == 1  # the second one left at 1060.5 (whole seconds)


def test_private_chat_is_one_per_second_without_a_burst():
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock)
    assert limiter.acquire(1, 10, True) == 0
    assert limiter.acquire(1, 10, True) == 1
    assert limiter.acquire(1, 11, True) == 0  # another chat is not held back
    clock.now += 1.0
    assert limiter.acquire(1, 10, True) == 0


def test_lenient_model_lets_a_burst_through_where_strict_does_not():
    def accepted(limits: RateLimits) -> int:
        clock = FakeClock()
        limiter = RateLimiter(limits, clock)
        for chat in range(1, 31):
            limiter.acquire(1, chat, True)
        clock.now += 0.5  # the bucket refilled 15 tokens; the window still holds all 30
        return sum(limiter.acquire(1, chat, True) == 0 for chat in range(100, 130))

    assert accepted(RateLimits()) == 0
    assert accepted(RateLimits.lenient()) == 15


def test_a_bot_with_its_own_rate_sends_1000_a_second():
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(bot_rates={1: 1000.0}), clock)
    results = [limiter.acquire(1, chat, True) for chat in range(1, 1002)]
    assert results[:1000] == [0] * 1000 and results[1000] == 1
    assert sum(limiter.acquire(2, chat, True) == 0 for chat in range(1, 100)) == 30
    limiter.set_bot_rates(2, BotRates(per_second=60))
    clock.now += 1.0
    assert sum(limiter.acquire(2, chat, True) == 0 for chat in range(200, 300)) == 60
    limiter.reset()  # run-time rates go, the settings' stay
    assert limiter.bot_rates(2) == BotRates() and limiter.bot_rates(1).per_second == 1000


def test_a_paid_rate_is_for_sends_with_allow_paid_broadcast_only():
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock)
    limiter.set_bot_rates(1, BotRates(paid_per_second=1000))
    free = [limiter.acquire(1, chat, True) for chat in range(1, 41)]
    assert free.count(0) == 30  # without the flag: the ordinary 30/s
    paid = [limiter.acquire(1, chat, True, paid=True) for chat in range(100, 1100)]
    assert paid.count(0) == 970  # every send counts against the paid 1000/s
    with pytest.raises(ValueError):
        limiter.set_bot_rates(1, BotRates(per_second=0))


def test_window_of_a_rate():
    assert window_of(30) == (30, 1.0)
    assert window_of(1000) == (1000, 1.0)
    assert window_of(0.5) == (1, 2.0)
    window = SlidingWindow(2, 1.0)
    window.take(0.0)
    window.take(0.5)
    assert window.wait(0.9) == pytest.approx(0.1) and window.wait(1.0) == 0.0
    assert not window.idle(1.2) and window.idle(1.5)


def test_limits_reject_an_unknown_model():
    with pytest.raises(ValueError, match="model"):
        RateLimits(model="generous")


class TestStrictOverHttp:
    @pytest.fixture
    def settings(self) -> EmulatorSettings:
        return EmulatorSettings(limits=RateLimits())

    async def test_an_edit_counts_like_a_send_with_telegrams_exact_429(self, raw, world, client):
        token, uid = world["token"], world["user_id"]
        status, sent, _ = await raw.call(token, "sendMessage", chat_id=uid, text="a")
        assert status == 200
        mid = sent["result"]["message_id"]
        status, body, headers = await raw.call(
            token, "editMessageText", chat_id=uid, message_id=mid, text="b"
        )
        assert status == 429
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        assert headers["Retry-After"] == "1"
        assert [m["text"] for m in await client.messages(uid)] == ["a"]  # not applied
        markup = {"inline_keyboard": [[{"text": "x", "callback_data": "x"}]]}
        status, _, _ = await raw.call(
            token, "editMessageReplyMarkup", chat_id=uid, message_id=mid, reply_markup=markup
        )
        assert status == 429
        stats = await client.stats(world["bot_id"])
        assert (stats["messages_sent"], stats["edits"], stats["too_many_requests"]) == (1, 0, 2)
        assert stats["first_sent_at"] == stats["last_sent_at"] is not None

    async def test_bot_limits_over_the_control_api(self, raw, world, client):
        limits = await client.bot_limits(world["bot_id"])
        assert limits == {
            "model": "strict",
            "enabled": True,
            "default_per_second": 30.0,
            "per_second": None,
            "paid_per_second": None,
        }
        set_ = await client.set_bot_limits(world["bot_id"], paid_per_second=1000)
        assert set_["paid_per_second"] == 1000.0
        status, _, _ = await raw.call(
            world["token"], "sendMessage", chat_id=world["user_id"], text="p",
            allow_paid_broadcast=True,
        )  # fmt: skip
        assert status == 200
        assert (await client.stats(world["bot_id"]))["paid_broadcasts"] == 1
        with pytest.raises(EmulatorControlError):
            await client.set_bot_limits(world["bot_id"], per_second=-1)


@pytest.mark.parametrize(
    "kind, status",
    [("flood", 429), ("error_500", 500), ("html_502", 502)],
)
async def test_faults_apply_to_edits(raw, world, client, kind, status):
    token, uid = world["token"], world["user_id"]
    mid = (await raw.call(token, "sendMessage", chat_id=uid, text="a"))[1]["result"]["message_id"]
    await client.inject_fault(kind, bot_id=world["bot_id"], methods=["editMessageText"], count=1)
    got = await raw.call(token, "editMessageText", chat_id=uid, message_id=mid, text="b")
    assert got[0] == status
    assert [m["text"] for m in await client.messages(uid)] == ["a"]


async def test_a_dropped_edit_is_a_closed_connection(raw, world, client):
    token, uid = world["token"], world["user_id"]
    mid = (await raw.call(token, "sendMessage", chat_id=uid, text="a"))[1]["result"]["message_id"]
    await client.inject_fault("drop", methods=["editMessageText"], count=1)
    with pytest.raises(aiohttp.ClientError):
        await raw.call(token, "editMessageText", chat_id=uid, message_id=mid, text="b")
    assert await client.faults() == []


async def test_a_timeout_after_an_edit_applies_it_and_holds_the_answer(raw, world, client):
    token, uid = world["token"], world["user_id"]
    mid = (await raw.call(token, "sendMessage", chat_id=uid, text="a"))[1]["result"]["message_id"]
    await client.inject_fault("timeout_after_store", methods=["editMessageText"], seconds=5)
    call = asyncio.ensure_future(
        raw.call(token, "editMessageText", chat_id=uid, message_id=mid, text="b")
    )
    await client.wait_for_messages(uid, 1)
    for _ in range(50):
        if [m["text"] for m in await client.messages(uid)] == ["b"]:
            break
        await asyncio.sleep(0.02)
    assert [m["text"] for m in await client.messages(uid)] == ["b"]  # applied...
    assert not call.done()  # ...and the answer still held
    await client.clear_faults()
    call.cancel()
