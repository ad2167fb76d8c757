"""The Lua job queue on every backend (fakeredis, one Redis, a Cluster, Sentinel): fairness,
limits, ownership, idempotence."""

from __future__ import annotations

import asyncio
import json
from dataclasses import fields

import pytest

from delivery import keys
from delivery.policy import Limits
from delivery.queue import Claim, Copies, Depth, Job, JobQueue, Kind

BOT = 7000


@pytest.fixture(params=["fakeredis", "real-redis", "cluster", "sentinel"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


def _jobs(tid: str, chats: list[int], bot: int = BOT) -> list[Job]:
    return [Job("", bot, tid, c, Kind.SERVICE, f"{tid}:{c}:{i}") for i, c in enumerate(chats)]


async def _claim(q: JobQueue) -> Claim | float | None:
    """A claim, or the real wait (past the 1 ms a just-served lane sits out)."""
    claim = await q.claim()
    while isinstance(claim, float) and claim <= 0.002:
        await asyncio.sleep(claim)
        claim = await q.claim()
    return claim


async def _drain(q: JobQueue, n: int) -> list[Job]:
    got = []
    for _ in range(n):
        claim = await _claim(q)
        assert isinstance(claim, Claim), claim
        job = await q.load(claim.jid)
        got.append(job)
        await q.ack(claim.jid)
    return got


async def test_lanes_of_one_bot_are_served_round_robin(redis):
    q = JobQueue(redis, "w", Limits.loose())
    await q.enqueue(_jobs("1", list(range(100, 110))))
    await q.enqueue(_jobs("2", [200, 201]))
    order = [j.tid for j in await _drain(q, 5)]
    assert order == ["1", "2", "1", "2", "1"]


async def test_a_private_chat_waits_a_second_without_blocking_other_chats(redis):
    q = JobQueue(redis, "w", Limits(bot_per_second=1000, bot_burst=100))
    await q.enqueue(_jobs("1", [100, 100, 101]))
    chats = [j.chat for j in await _drain(q, 2)]
    assert chats == [100, 101]
    wait = await _claim(q)
    assert isinstance(wait, float) and 0.5 < wait <= 1.0 / 0.97 + 0.001  # whole ms, rounded up


async def test_the_bot_budget_spaces_sends(redis):
    q = JobQueue(redis, "w", Limits(bot_per_second=10, bot_burst=2, private_burst=100))
    await q.enqueue(_jobs("1", list(range(100, 105))))
    await _drain(q, 2)
    wait = await _claim(q)
    assert isinstance(wait, float) and 0.05 < wait <= 0.1 / 0.97 + 0.002


async def test_fanout_of_one_intake_entry_happens_once(redis):
    q = JobQueue(redis, "w", Limits.loose())
    assert await q.enqueue(_jobs("1", [1, 2]), entry_id="1-1") == 2
    assert await q.enqueue(_jobs("1", [1, 2]), entry_id="1-1") == 0
    assert (await q.depth()).queued == 2


async def test_a_crash_between_the_fanout_and_the_ack_queues_the_entry_once(redis):
    stream = keys.intake("1")
    await redis.xgroup_create(stream, keys.GROUP, id="0", mkstream=True)
    entry = await redis.xadd(stream, {"kind": "call"})
    await redis.xreadgroup(keys.GROUP, "w", {stream: ">"})
    q = JobQueue(redis, "w", Limits.loose())
    # The jobs are created, then the worker dies before its XACK + XDEL of the entry.
    assert await q.enqueue(_jobs("1", [1, 2]), entry, stream=stream, ack=False) == 2
    assert (await redis.xpending(stream, keys.GROUP))["pending"] == 1
    # Read again (by a taker, or by the worker's next life): nothing new, and the entry goes.
    assert await q.enqueue(_jobs("1", [1, 2]), entry, stream=stream) == 0
    assert (await redis.xpending(stream, keys.GROUP))["pending"] == 0
    assert await redis.xlen(stream) == 0
    assert (await q.depth()).queued == 2
    assert sorted(j.chat for j in await _drain(q, 2)) == [1, 2]


async def _queued_chats(redis) -> list[int]:
    return sorted(
        [int(await redis.hget(k, "c")) async for k in redis.scan_iter(match=f"{keys.P}:job:*")]
    )


class _CrashAfter:
    """Fault injection: the queue's fan-out chunks fail after `n` of them (a worker killed
    between two chunks of one entry)."""

    def __init__(self, q: JobQueue, n: int) -> None:
        self.calls, self._n, self._chunk = 0, n, q._chunk
        q._chunk = self  # type: ignore[method-assign]

    async def __call__(self, *args: object) -> int:
        if self.calls >= self._n:
            raise ConnectionError("killed between chunks")
        self.calls += 1
        return await self._chunk(*args)


async def test_an_entrys_fanout_goes_in_chunks_each_one_script(redis):
    q = JobQueue(redis, "w", Limits.loose(), chunk=3)
    counted = _CrashAfter(q, 10**6)
    assert await q.enqueue(_jobs("1", list(range(1, 11))), "1-1", stream="s") == 10
    assert counted.calls == 4  # 3 + 3 + 3 + 1
    assert await _queued_chats(redis) == list(range(1, 11))
    assert await q.enqueue(_jobs("1", list(range(1, 11))), "1-1", stream="s") == 0
    assert (await q.depth()).queued == 10


async def test_a_crash_between_chunks_then_a_rerun_queues_each_copy_once(redis):
    stream = keys.intake("1")
    await redis.xgroup_create(stream, keys.GROUP, id="0", mkstream=True)
    entry = await redis.xadd(stream, {"kind": "call"})
    await redis.xreadgroup(keys.GROUP, "w", {stream: ">"})
    dying = JobQueue(redis, "w", Limits.loose(), chunk=3)
    _CrashAfter(dying, 2)
    chats = [9, 4, 1, 7, 3, 8, 2, 6, 5, 10]
    with pytest.raises(ConnectionError):
        await dying.enqueue(_jobs("1", chats), entry, stream=stream)
    assert len(await _queued_chats(redis)) == 6
    assert (await redis.xpending(stream, keys.GROUP))["pending"] == 1
    # The next life reads the entry again; meanwhile chat 2 left and chat 11 came.
    again = [c for c in chats if c != 2] + [11]
    q = JobQueue(redis, "w", Limits.loose(), chunk=3)
    assert await q.enqueue(_jobs("1", again), entry, stream=stream) == 4
    assert await _queued_chats(redis) == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert (await redis.xpending(stream, keys.GROUP))["pending"] == 0
    assert await q.enqueue(_jobs("1", again), entry, stream=stream) == 0


async def test_copies_of_one_chat_keep_their_order_across_chunks(redis):
    q = JobQueue(redis, "w", Limits.loose(), chunk=2)
    jobs = _jobs("1", [5, 5, 5, 1, 5])
    assert await q.enqueue(jobs, "1-1", stream="s") == 5
    got = [j.text for j in await _drain(q, 5) if j.chat == 5]
    assert got == ["1:5:0", "1:5:1", "1:5:2", "1:5:4"]


async def _stored_texts(redis) -> dict[str, int]:
    """The shared texts of fan-outs: key -> how many jobs use it."""
    return {
        k: int(await redis.hget(k, "n")) async for k in redis.scan_iter(match=f"{keys.P}:data:*")
    }


async def test_the_copies_of_one_message_share_one_stored_text(redis):
    q = JobQueue(redis, "w", Limits.loose(), chunk=2)
    copies = Copies(
        Job("", BOT, "1", 0, Kind.CALL, "одна карточка " * 50), [(BOT, c) for c in (1, 2, 3)]
    )
    assert await q.enqueue_copies(copies, "1-1", stream="s") == 3
    assert list((await _stored_texts(redis)).values()) == [3]
    for k in [k async for k in redis.scan_iter(match=f"{keys.P}:job:*")]:
        assert await redis.hget(k, "d") is None
    jobs, _ = await q.claim_many(3)
    assert sorted(j.chat for j in jobs) == [1, 2, 3]
    assert {j.text for j in jobs} == {"одна карточка " * 50}
    assert (await q.load(jobs[0].jid)).text == "одна карточка " * 50
    await q.ack(*(j.jid for j in jobs))
    assert await _stored_texts(redis) == {}


async def test_a_requeued_or_buried_copy_keeps_its_own_text_and_lets_go_of_the_shared(redis):
    q = JobQueue(redis, "w", Limits.loose())
    copies = Copies(Job("", BOT, "1", 0, Kind.CALL, "card"), [(BOT, c) for c in (1, 2, 3)])
    await q.enqueue_copies(copies, "1-1", stream="s")
    jobs, _ = await q.claim_many(3)
    first, second, third = sorted(jobs, key=lambda j: j.chat)
    first.attempts = 1
    assert await q.requeue(first, front=True)
    assert list((await _stored_texts(redis)).values()) == [2]
    assert await q.bury(second, cap=10)
    assert list((await _stored_texts(redis)).values()) == [1]
    await q.ack(third.jid)
    assert await _stored_texts(redis) == {}
    assert (await q.load(second.jid)).text == "card"
    [again], _ = await q.claim_many(1)
    assert (again.chat, again.text, again.attempts) == (1, "card", 1)


async def test_a_single_copy_keeps_its_text_in_its_job(redis):
    q = JobQueue(redis, "w", Limits.loose())
    await q.enqueue([Job("", BOT, "1", 5, Kind.SERVICE, "just one")], "1-1", stream="s")
    assert await _stored_texts(redis) == {}
    [job], _ = await q.claim_many(1)
    assert job.text == "just one"


async def test_a_dead_consumers_claims_go_back_and_settling_needs_ownership(redis):
    dead = JobQueue(redis, "dead", Limits.loose())
    alive = JobQueue(redis, "alive", Limits.loose())
    await dead.lease(0.001)
    await dead.enqueue(_jobs("1", [1]))
    claim = await _claim(dead)
    assert isinstance(claim, Claim)
    assert await _claim(alive) is None
    await asyncio.sleep(0.01)  # past the dead consumer's 1 ms lease, however fast Redis is
    assert await alive.lease(10) == 1  # the expired lease handed the job back
    again = await _claim(alive)
    assert isinstance(again, Claim) and again.jid == claim.jid
    job = await dead.load(claim.jid)
    assert not await dead.requeue(job)  # no longer the owner: no second copy appears
    await alive.ack(again.jid)
    assert await alive.depth() == Depth(0, 0, 0, 0)


async def test_restart_under_the_same_name_reclaims_at_once(redis):
    q = JobQueue(redis, "w", Limits.loose())
    await q.enqueue(_jobs("1", [1, 2]))
    first = await _claim(q)
    assert isinstance(first, Claim)
    assert await q.reclaim() == 1
    assert {j.chat for j in await _drain(q, 2)} == {1, 2}


async def test_bury_keeps_the_newest_and_revive_requeues(redis):
    q = JobQueue(redis, "w", Limits.loose())
    await q.enqueue(_jobs("1", [1, 2, 3]))
    for _ in range(3):
        claim = await _claim(q)
        job = await q.load(claim.jid)
        job.error = "boom"
        assert await q.bury(job, cap=2)
    dead = await redis.zrange(keys.dead("1"), 0, -1)
    assert len(dead) == 2 and await q.load(dead[0]) is not None
    assert (await q.depth()).dead == 2
    job = await q.load(dead[0])
    assert await q.revive(job) and not await q.revive(job)
    [back] = await _drain(q, 1)
    assert back.jid == dead[0] and back.error == "boom"


async def test_one_claim_call_serves_lanes_round_robin_as_often_as_the_budget_allows(redis):
    q = JobQueue(redis, "w", Limits.loose())
    await q.lease(10)
    await q.enqueue(_jobs("1", [100, 101, 102]))
    await q.enqueue(_jobs("2", [200]))
    await q.enqueue(_jobs("3", [300], bot=BOT + 1))
    jobs, wait = await q.claim_many(10)
    # One job per lane per round, rounds while the bot's budget lasts: lane 1 does not wait for
    # the next call (one tenant's broadcast is not capped by the claim rate).
    assert [(j.tid, j.chat) for j in jobs if j.bot == BOT] == [
        ("1", 100),
        ("2", 200),
        ("1", 101),
        ("1", 102),
    ]
    assert [(j.tid, j.chat) for j in jobs if j.bot == BOT + 1] == [("3", 300)]
    assert {j.text for j in jobs} >= {"1:100:0", "2:200:0", "3:300:0"}
    assert wait is None
    assert (await q.depth()).in_flight == 5


async def test_one_claim_call_never_takes_more_than_the_bot_budget_or_asked(redis):
    q = JobQueue(redis, "w", Limits(bot_per_second=10, bot_burst=2, private_burst=100))
    for tid in "1234":
        await q.enqueue(_jobs(tid, [int(tid) * 100]))
    jobs, wait = await q.claim_many(10)
    assert len(jobs) == 2  # the burst
    assert wait is not None and 0.05 < wait <= 0.1 / 0.97 + 0.002
    loose = JobQueue(redis, "w2", Limits.loose())
    for tid in "56":
        await loose.enqueue(_jobs(tid, [int(tid) * 100], bot=BOT + 1))
    jobs, wait = await loose.claim_many(1)
    assert len(jobs) == 1 and wait == 0  # asked for one; more is ready at once


async def test_acks_of_concurrent_sends_share_one_script_call(redis):
    q = JobQueue(redis, "w", Limits.loose())
    for t in range(1, 9):
        await q.enqueue(_jobs(str(t), [t]))
    jobs, _ = await q.claim_many(8)
    assert len(jobs) == 8
    calls = []
    real = q.ack

    async def counting(*jids: str) -> None:
        calls.append(jids)
        await real(*jids)

    q.ack = counting  # type: ignore[method-assign]
    await asyncio.gather(*(q.ack_grouped(j.jid) for j in jobs))
    assert len(calls) <= 2 and sum(len(c) for c in calls) == 8
    assert await q.depth() == Depth(0, 0, 0, 0)
    assert [await q.load(j.jid) for j in jobs] == [None] * 8


def test_job_data_carries_every_field_but_the_routing_ones():
    job = Job("7", BOT, "1", 5, Kind.CALL, "t", {"inline_keyboard": []}, 1.5, "c", 2, [9], "e", 3.0)
    job.silent, job.topic, job.thread = True, "sales", 4
    job.media, job.file, job.filename = "photo", "pz:{t1}:upload:ab", "chart.png"
    job.shown = 2
    assert Job.load("7", {"b": str(BOT), "t": "1", "c": "5", "d": job.data()}) == job
    assert set(json.loads(job.data())) == {f.name for f in fields(Job)} - {
        "jid",
        "bot",
        "tid",
        "chat",
        "due",
        "paid",
    }
    # These are written only when set: a job without them reads the same in older code.
    job.silent, job.topic, job.thread = False, "", 0
    job.media, job.file, job.filename, job.shown = "", "", "", 0
    assert not {"silent", "topic", "thread", "media", "file", "filename", "shown"} & set(
        json.loads(job.data())
    )
    assert Job.load("7", {"b": str(BOT), "t": "1", "c": "5", "d": job.data()}) == job


async def test_jobs_handed_back_in_any_order_leave_in_the_order_they_were_accepted(redis):
    q = JobQueue(redis, "w", Limits.loose())
    await q.lease(10)
    await q.enqueue(_jobs("1", [100, 100, 100, 100]))
    jobs, _ = await q.claim_many(3)
    assert [j.text for j in jobs] == ["1:100:0", "1:100:1", "1:100:2"]
    # concurrent sends failed and came back in another order (a breaker, a 429, a release)
    await q.requeue(jobs[1])
    await q.release(jobs[2].jid)
    await q.requeue(jobs[0])
    got = await _drain(q, 4)
    assert [j.text for j in got] == ["1:100:0", "1:100:1", "1:100:2", "1:100:3"]


async def test_a_delayed_job_holds_the_later_jobs_of_its_chat_only(redis):
    q = JobQueue(redis, "w", Limits.loose())
    await q.lease(10)
    await q.enqueue(_jobs("1", [100, 100, 101]))
    jobs, _ = await q.claim_many(1)
    await q.requeue(jobs[0], delay=0.3)  # a failure about this message: retried in 0.3 s
    first = await _claim(q)
    assert isinstance(first, Claim)
    assert (await q.load(first.jid)).chat == 101  # the other chat goes on
    await q.ack(first.jid)
    wait = await _claim(q)
    assert isinstance(wait, float) and wait > 0.2  # chat 100's second job waits behind it
    await asyncio.sleep(wait)
    got = await _drain(q, 2)
    assert [j.text for j in got] == ["1:100:0", "1:100:1"]


async def test_a_job_handed_back_leaves_before_its_chats_later_job_that_waited_meanwhile(redis):
    now = [1_800_000_000.0]
    q = JobQueue(redis, "w", Limits(bot_per_second=1000), clock=lambda: now[0])
    await q.enqueue(_jobs("1", [100, 100]))
    first, _ = await q.claim_many(1)
    now[0] += 0.01
    assert (await q.claim_many(1))[0] == []  # the second waits for the chat's next second
    job = await q.load(first[0].jid)
    assert job is not None and await q.requeue(job)  # the first failed: back to its place
    now[0] += 1.1  # both are due now
    again, _ = await q.claim_many(1)
    assert [j.jid for j in again] == [first[0].jid]
