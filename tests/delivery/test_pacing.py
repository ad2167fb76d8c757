"""Pacing on a driven clock: no sliding window ever holds more than Telegram allows.

The scripts take the time as an argument, so these tests claim on a clock they move in uneven
steps (a worker wakes late, early, in bursts) and check every window of the send slots handed
out: per bot 30 in any 1 s, per private chat 1 in any 1 s, per group 20 in any 60 s.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

import pytest

from delivery import keys
from delivery.pacing import Arrivals, BotPace, Budget, Pace
from delivery.policy import Limits
from delivery.queue import Job, JobQueue, Kind
from tg_emulator import RateLimits
from tg_emulator.limits import BotRates, RateLimiter, SlidingWindow


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


BOT = 7100
START = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.t = START

    def __call__(self) -> float:
        return self.t


def _jobs(tid: str, chats: list[int], bot: int = BOT) -> list[Job]:
    return [Job("", bot, tid, c, Kind.SERVICE, f"{c}:{i}") for i, c in enumerate(chats)]


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of times in any half-open window [t, t + window)."""
    ts = sorted(times)
    return max((bisect_left(ts, t + window) - i for i, t in enumerate(ts)), default=0)


async def run(
    q: JobQueue, clock: Clock, n: int, *, step_ms: tuple[float, float] = (1, 20), most: int = 32
) -> list[tuple[float, Job]]:
    """Claim on the driven clock until `n` jobs went out; (send time, job) for each."""
    rnd = random.Random(7)
    sent: list[tuple[float, Job]] = []
    while len(sent) < n:
        jobs, _ = await q.claim_many(most)
        for job in jobs:
            sent.append((clock.t + job.due, job))
        if jobs:
            await q.ack(*(j.jid for j in jobs))
        clock.t += rnd.uniform(*step_ms) / 1000.0
    return sent


def _queue(redis, clock: Clock, limits: Limits | None = None) -> JobQueue:
    return JobQueue(redis, "w", limits or Limits(), ahead=0.05, clock=clock)


async def test_no_second_ever_holds_more_than_30_sends_of_one_bot(redis):
    clock = Clock()
    q = _queue(redis, clock)
    await q.enqueue(_jobs("1", list(range(1000, 1400))))
    times = [t for t, _ in await run(q, clock, 400)]
    assert most_in_any_window(times, 1.0) <= 30
    # ... and the budget is used: the sends run at the paced rate ((1 - margin) x 30/s).
    rate = (len(times) - 1) / (max(times) - min(times))
    assert (1 - Limits().margin) * 30 * 0.998 <= rate <= 30


async def test_a_paid_bot_keeps_its_wider_margin_and_a_bot_in_the_arrival_window_the_small_one(
    redis,
):
    # A paid broadcast's slots stay below its paid window (its rate less the replies' 30).
    clock = Clock()
    limits = Limits(margin=0.01, paid_margin=0.05)
    q = _queue(redis, clock, limits)
    paid, own, default = BOT, BOT + 1, BOT + 2
    await BotPace(redis).set(paid, Pace(100.0, paid=True))
    await BotPace(redis).set(own, Pace(100.0))  # a rate of its own, through the window
    await q.enqueue(_jobs("1", list(range(10_000, 10_500)), bot=paid))
    await q.enqueue(_jobs("2", list(range(20_000, 20_500)), bot=own))
    await q.enqueue(_jobs("3", list(range(30_000, 30_150)), bot=default))
    sent = await run(q, clock, 1150, most=64)
    for bot, rate, figure in ((paid, 95.0, 100), (own, 99.0, 100), (default, 29.7, 30)):
        times = [t for t, j in sent if j.bot == bot]
        got = (len(times) - 1) / (max(times) - min(times))
        assert rate * 0.998 <= got <= rate * 1.002, (bot, got)
        assert most_in_any_window(times, 1.0) <= figure
    # Replies take the same margin (the budget's script reads the same argv), but a paid
    # bot's replies carry no allow_paid_broadcast: Telegram counts them at the ordinary rate.
    budget = Budget(redis, limits, clock)
    clock.t += 10.0
    for bot, rate in ((own, 99.0), (paid, 29.7)):
        slots = []
        for _ in range(20):
            granted, wait = await budget.acquire(bot, None)
            assert granted
            slots.append(wait)
        assert slots[-1] - slots[0] == pytest.approx(19 / rate, abs=1e-4), bot


async def test_a_private_chat_gets_one_per_second_and_a_group_twenty_per_minute(redis):
    clock = Clock()
    q = _queue(redis, clock)
    chats = [1, 2, 3, -100, -200] * 30 + list(range(5000, 5100))
    await q.enqueue(_jobs("1", chats))
    sent = await run(q, clock, len(chats), step_ms=(5, 150))
    by_chat: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for t, job in sent:
        by_chat[job.chat].append((t, job.text))
    for chat, items in by_chat.items():
        times = [t for t, _ in items]
        if chat < 0:
            assert most_in_any_window(times, 60.0) <= 20, chat
        else:
            assert most_in_any_window(times, 1.0) <= 1, chat
        # and in the order they were accepted
        assert [text for _, text in sorted(items)] == [text for _, text in items]
    assert most_in_any_window([t for t, _ in sent], 1.0) <= 30


async def test_a_bot_with_its_own_rate_is_paced_at_it_and_sends_paid_broadcasts(redis):
    clock = Clock()
    q = _queue(redis, clock)
    await BotPace(redis).set(BOT, Pace(1000.0, paid=True))
    await q.enqueue(_jobs("1", list(range(10_000, 13_000))))
    other = BOT + 1  # no pace of its own: the default 30/s, no paid flag
    await q.enqueue(_jobs("2", list(range(20_000, 20_100)), bot=other))
    sent = await run(q, clock, 3060, most=256)
    paid = [t for t, j in sent if j.bot == BOT]
    assert all(j.paid for _, j in sent if j.bot == BOT)
    assert not any(j.paid for _, j in sent if j.bot == other)
    assert most_in_any_window(paid, 1.0) <= 1000
    # at the paced rate: 1000/s less the paid margin
    assert (len(paid) - 1) / (max(paid) - min(paid)) >= (1 - Limits().paid_margin) * 1000 * 0.998
    assert most_in_any_window([t for t, j in sent if j.bot == other], 1.0) <= 30


async def test_a_429_slows_the_token_for_a_while_then_it_recovers(redis):
    clock = Clock()
    limits = Limits(backoff=0.5, recovery=0.05)  # back to full rate 10 s after one 429
    q = _queue(redis, clock, limits)
    await q.enqueue(_jobs("1", list(range(1000, 1600))))
    before = await run(q, clock, 60)
    hit = clock.t
    assert await q.throttle(BOT, retry_after=1.0) == pytest.approx(0.5)
    # Sends in flight meet the same 429: the rate is cut once, not once per send.
    assert await q.throttle(BOT, retry_after=1.0) == pytest.approx(0.5)
    after = await run(q, clock, 400)
    times = [t for t, _ in after if t > max(t for t, _ in before)]
    assert min(times) >= hit + 1.0  # paused for retry_after
    first = [t for t in times if t < hit + 2.0]
    assert 12 <= len(first) <= 17  # about half of 29.1 in the first second
    late = [t for t in times if t >= hit + 12.0]
    assert len(late) >= 20
    assert most_in_any_window(late, 1.0) >= 28  # recovered


async def test_handler_replies_and_the_engine_share_one_budget(redis):
    clock = Clock()
    q = _queue(redis, clock)
    budget = Budget(redis, Limits(), clock)
    await q.enqueue(_jobs("1", list(range(1000, 1600))))
    rnd = random.Random(3)
    # 30 replies asked for at random times in the first 4 s to 5 private chats, 4 to a group
    # (20/min: its 4th slot is 9.3 s after its 1st).
    asking = sorted(
        [(START + rnd.uniform(0, 4), rnd.choice([1, 2, 3, 4, 5])) for _ in range(30)]
        + [(START + 0.5 * k, -9) for k in range(1, 5)]
    )
    slots: list[float] = []
    replies: dict[int, list[float]] = defaultdict(list)
    while clock.t < START + 14:
        jobs, _ = await q.claim_many(32)
        slots += [clock.t + j.due for j in jobs]
        if jobs:
            await q.ack(*(j.jid for j in jobs))
        while asking and asking[0][0] <= clock.t:
            _, chat = asking.pop(0)
            granted, wait = await budget.acquire(BOT, chat)
            if granted:
                slots.append(clock.t + wait)
                replies[chat].append(clock.t + wait)
            else:
                asking.append((clock.t + wait, chat))
                asking.sort()
        clock.t += rnd.uniform(1, 30) / 1000.0
    assert sum(len(times) for times in replies.values()) == 34  # every reply went out
    assert most_in_any_window(slots, 1.0) <= 30
    assert len(slots) / 14 >= 0.97 * 30 * 0.98  # and no slot of the budget was wasted
    for chat, times in replies.items():
        if chat < 0:
            assert most_in_any_window(times, 60.0) <= 20
        else:  # a person's chat: no more than its reply burst
            assert most_in_any_window(times, 1.0) <= Limits().reply_burst
            assert most_in_any_window(times, 10.0) <= Limits().reply_burst + 10


async def test_a_transport_failure_pauses_the_token_until_one_probe_gets_an_answer(redis):
    from delivery.policy import Breaker

    clock = Clock()
    q = JobQueue(
        redis, "w", Limits.loose(), breaker=Breaker(base=1.0, cap=4.0, probe=10.0), clock=clock
    )
    await q.lease(60)
    await q.enqueue(_jobs("1", list(range(1, 11))))
    jobs, _ = await q.claim_many(3)
    assert len(jobs) == 3
    # all three sends fail on the transport: the breaker opens once, the jobs keep their place
    assert await q.trip(BOT) == 1.0
    assert await q.trip(BOT) == 0.0
    for job in reversed(jobs):
        await q.requeue(job)
    assert (await q.claim_many(5))[0] == []  # open: nothing for 1 s
    clock.t += 1.0
    probe, _ = await q.claim_many(5)
    assert [j.text for j in probe] == ["1:0"]  # one probe, the oldest job
    clock.t += 5.0
    assert (await q.claim_many(5))[0] == []  # held while the probe is out
    assert await q.trip(BOT) == 2.0  # the probe failed: open twice as long
    await q.requeue(probe[0])
    clock.t += 2.0
    probe, _ = await q.claim_many(5)
    assert len(probe) == 1 and await q.trip(BOT) == 4.0
    await q.requeue(probe[0])
    clock.t += 4.0
    probe, _ = await q.claim_many(5)
    assert await q.trip(BOT) == 4.0  # capped
    await q.requeue(probe[0])
    clock.t += 4.0
    probe, _ = await q.claim_many(5)
    await q.ack(probe[0].jid)  # Telegram answered: closed
    clock.t += 0.01  # (a lane just served sits out the rest of its millisecond)
    rest, _ = await q.claim_many(20)
    assert [j.text for j in probe + rest] == [f"{c}:{c - 1}" for c in range(1, 11)]


async def _arrivals(
    slots: list[float], lags: list[float], clock: Clock, ledger: Arrivals | None
) -> list[float]:
    """Sends start at their slots (later if `ledger` says so) and reach Telegram `lag` later;
    each answer comes back 1 ms after its arrival. Returns the arrival times."""
    answers: list[tuple[float, str]] = []  # (answer time, send id) of the sends in flight
    arrived: list[float] = []
    start = 0.0
    for slot, lag in zip(slots, lags, strict=True):
        start = max(start, slot)
        while ledger is not None:
            for t, send in sorted(a for a in answers if a[0] <= start):
                answers.remove((t, send))
                clock.t = START + t
                await ledger.leave(BOT, send)
            clock.t = START + start
            send = f"s{len(arrived)}"
            wait = await ledger.try_enter(BOT, send)
            if wait == 0:
                answers.append((start + lag + 0.001, send))
                break
            start += wait
        arrived.append(start + lag)
    return arrived


def _refused(arrivals: list[float]) -> int:
    """429s the emulator's strict model (30 in any 1 s per bot) gives these arrivals."""
    referee, refused = SlidingWindow(30, 1.0), 0
    for t in sorted(arrivals):
        if referee.wait(t) > 0:
            refused += 1
        else:
            referee.take(t)
    return refused


@pytest.mark.parametrize("seed", range(3))
async def test_sends_that_arrive_late_after_their_slot_never_fill_a_window_past_30(redis, seed):
    # What a crowd of replies and busy workers looked like: slots evenly spaced at 30/s less
    # the margin, some requests queued behind other work (tens of ms late), the rest not.
    interval = 1.0 / (30 * (1 - Limits().margin))
    rnd = random.Random(seed)
    slots = [i * interval for i in range(200)]
    lags = [
        rnd.uniform(0.03, 0.08) if i % 40 < 3 else rnd.uniform(0.001, 0.004) for i in range(200)
    ]
    clock = Clock()
    assert _refused(await _arrivals(slots, lags, clock, None)) > 0  # slots alone: a 429
    arrivals = await _arrivals(slots, lags, clock, Arrivals(redis, 30, clock=clock))
    assert _refused(arrivals) == 0
    assert most_in_any_window(arrivals, 1.0) <= 30
    assert max(arrivals) < slots[-1] + 0.2  # and it costs almost nothing


async def test_sends_in_flight_and_answered_within_a_second_hold_the_next_one(redis):
    clock = Clock()
    ledger = Arrivals(redis, 3, clock=clock)
    for i in range(3):
        assert await ledger.try_enter(BOT, f"s{i}") == 0
    assert await ledger.try_enter(BOT, "s3") > 0  # three in flight (any process's)
    clock.t += 0.2
    await ledger.leave(BOT, "s0")  # it arrived by now
    clock.t += 0.1
    assert await ledger.try_enter(BOT, "s3") == pytest.approx(0.9)
    clock.t += 0.9
    assert await ledger.try_enter(BOT, "s3") == 0  # out of the window: room for one
    assert await ledger.try_enter(BOT, "s4") > 0  # but the other two are still in flight
    await BotPace(redis).set(BOT, Pace(5.0))  # a bot with a rate of its own: that many
    assert await ledger.try_enter(BOT, "s4") == 0


async def test_a_send_counts_from_its_answer_not_from_when_its_leave_reached_redis(redis):
    # Redis's now less what our clock counted since the answer: a busy loop or a wait for a
    # connection between the answer and the call does not hold the window longer.
    clock = Clock()
    ledger = Arrivals(redis, 1, clock=clock)
    assert await ledger.try_enter(BOT, "s0") == 0
    clock.t += 0.1
    answered = ledger.now()
    clock.t += 0.3
    await ledger.leave(BOT, "s0", answered=answered)
    assert await ledger.try_enter(BOT, "s1") == pytest.approx(0.7)  # 1 s after the answer
    clock.t += 0.7
    assert await ledger.try_enter(BOT, "s1") == 0
    await ledger.leave(BOT, "s1")  # no time given: answered now
    clock.t += 0.5
    assert await ledger.try_enter(BOT, "s2") == pytest.approx(0.5)


async def test_a_chat_gets_one_send_in_flight_or_arrived_per_its_interval(redis):
    clock = Clock()
    ledger = Arrivals(redis, 30, chats=Limits(), clock=clock)
    assert await ledger.try_enter(BOT, "p1", 5) == 0
    assert await ledger.try_enter(BOT, "p2", 6) == 0  # another chat is not held
    assert await ledger.try_enter(BOT, "p3", 5) > 0  # one of this chat is in flight
    clock.t += 0.5
    await ledger.leave(BOT, "p1", 5)  # answered late: it may have arrived only now
    clock.t += 0.6
    assert await ledger.try_enter(BOT, "p3", 5) == pytest.approx(0.4)
    assert await ledger.try_enter(BOT, "g1", -100) == 0
    await ledger.leave(BOT, "g1", -100)
    clock.t += 1.0
    assert await ledger.try_enter(BOT, "g2", -100) == pytest.approx(2.0)  # 20 per minute


@dataclass(frozen=True)
class _Send:
    slot: float  # s from START
    lag: float  # from its start to its arrival at Telegram
    paid: bool
    chat: int


async def _arrive_all(
    streams: list[list[_Send]], clock: Clock, ledger: Arrivals | None
) -> list[tuple[float, _Send]]:
    """Each stream's sends start in order at their slots (later if `ledger` says so), all
    streams side by side, and reach Telegram `lag` later; each answer comes back 1 ms after
    its arrival. Returns (arrival time, send) for every send."""
    answers: list[tuple[float, str, _Send]] = []  # heap of the sends in flight
    cursor, nxt = [0.0] * len(streams), [0] * len(streams)
    arrived: list[tuple[float, _Send]] = []
    while True:
        ready = [i for i, stream in enumerate(streams) if nxt[i] < len(stream)]
        if not ready:
            return arrived
        i = min(ready, key=lambda i: max(cursor[i], streams[i][nxt[i]].slot))
        send = streams[i][nxt[i]]
        start = max(cursor[i], send.slot)
        if ledger is not None:
            while answers and answers[0][0] <= start:
                t, sid, done = heapq.heappop(answers)
                clock.t = START + t
                await ledger.leave(BOT, sid, done.chat, paid=done.paid)
            clock.t = START + start
            sid = f"{i}:{nxt[i]}"
            wait = await ledger.try_enter(BOT, sid, send.chat, paid=send.paid)
            if wait > 0:
                cursor[i] = start + wait
                continue
            heapq.heappush(answers, (start + send.lag + 0.001, sid, send))
        cursor[i] = start
        nxt[i] += 1
        arrived.append((start + send.lag, send))


def _refused_by_paid_referee(arrived: list[tuple[float, _Send]]) -> int:
    """429s the emulator's strict model gives a bot with a paid rate of 1,000/s: every send in
    its 1,000 in any 1 s, one without allow_paid_broadcast also in the ordinary 30."""
    now = [0.0]
    referee = RateLimiter(RateLimits(), clock=lambda: now[0])
    referee.set_bot_rates(BOT, BotRates(paid_per_second=1000.0))
    refused = 0
    for t, send in sorted(arrived, key=lambda a: a[0]):
        now[0] = t
        refused += referee.acquire(BOT, send.chat, True, send.paid) > 0
    return refused


@pytest.mark.parametrize("seed", range(2))
async def test_late_paid_sends_never_overfill_the_paid_window_and_replies_keep_their_30(
    redis, seed
):
    # A 1,000/s paid broadcast spaced at its claim's rate (less `paid_margin`), runs of sends
    # reaching Telegram 40-80 ms late while the rest are on time (a loaded worker), and the
    # bot's replies (no allow_paid_broadcast) at their own 30/s beside it.
    await BotPace(redis).set(BOT, Pace(1000.0, paid=True))
    rnd = random.Random(seed)
    interval = 1.0 / (1000 * (1 - Limits().paid_margin))
    paid = [
        _Send(
            i * interval,
            rnd.uniform(0.04, 0.08) if i % 300 < 60 else rnd.uniform(0.001, 0.004),
            True,
            100_000 + i,
        )
        for i in range(2500)
    ]
    replies = [
        _Send(
            k / (30 * (1 - Limits().margin)),
            rnd.uniform(0.03, 0.08) if k % 10 < 3 else rnd.uniform(0.001, 0.004),
            False,
            900_000 + k,
        )
        for k in range(80)
    ]
    clock = Clock()
    # Slots alone (no window): a second holds more than the referee allows.
    assert _refused_by_paid_referee(await _arrive_all([paid, replies], clock, None)) > 0
    ledger = Arrivals(redis, 30, chats=Limits(), clock=clock)
    arrived = await _arrive_all([paid, replies], clock, ledger)
    assert _refused_by_paid_referee(arrived) == 0
    paid_times = [t for t, send in arrived if send.paid]
    reply_times = [t for t, send in arrived if not send.paid]
    assert most_in_any_window(paid_times, 1.0) <= 970
    assert most_in_any_window(reply_times, 1.0) <= 30
    assert most_in_any_window(paid_times + reply_times, 1.0) <= 1000
    # ... and the window costs the broadcast little: it ends close to its last slot.
    assert max(paid_times) < paid[-1].slot + 0.25
    assert max(reply_times) < replies[-1].slot + 0.25


async def test_a_paid_send_counts_in_the_paid_window_and_not_in_the_free_one(redis):
    clock = Clock()
    ledger = Arrivals(redis, 3, clock=clock)
    await BotPace(redis).set(BOT, Pace(10.0, paid=True))  # paid window: 10 less the free 3
    for i in range(3):
        assert await ledger.try_enter(BOT, f"r{i}") == 0
    assert await ledger.try_enter(BOT, "r3") > 0  # the free window is full ...
    for i in range(7):
        assert await ledger.try_enter(BOT, f"p{i}", paid=True) == 0  # ... the paid one is not
    assert await ledger.try_enter(BOT, "p7", paid=True) > 0
    assert await redis.zcard(keys.arrivals(BOT)) == 3
    assert await redis.zcard(keys.paid_arrivals(BOT)) == 7
    clock.t += 0.2
    await ledger.leave(BOT, "p0", paid=True)  # answered: in the paid window from now
    assert await redis.zscore(keys.paid_arrivals(BOT), "p0") == pytest.approx(clock.t * 1000)
    assert await redis.zscore(keys.arrivals(BOT), "p0") is None
    clock.t += 1.0
    assert await ledger.try_enter(BOT, "p7", paid=True) == 0  # p0 left the paid window
    assert await ledger.try_enter(BOT, "r3") > 0  # and made no room in the free one
    # A bot no longer marked paid: its paid sends get no more than the ordinary count.
    await BotPace(redis).clear(BOT)
    other = Arrivals(redis, 3, clock=clock)
    for i in range(3):
        assert await other.try_enter(BOT + 1, f"q{i}", paid=True) == 0
    assert await other.try_enter(BOT + 1, "q3", paid=True) > 0
