"""Dead letters: retried in the order they were accepted; maybe-delivered ones only on confirm."""

from __future__ import annotations

import pytest

from delivery.deadletters import DeadLetters
from delivery.policy import Limits
from delivery.queue import Job, JobQueue, Kind


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


BOT = 7300


async def test_a_retry_puts_letters_back_in_their_original_order_and_asks_for_maybe_sent(redis):
    q = JobQueue(redis, "w", Limits.loose())
    await q.lease(10)
    await q.enqueue([Job("", BOT, "1", 5, Kind.SERVICE, f"m{i}") for i in range(4)])
    jobs, _ = await q.claim_many(4)
    jobs[1].maybe_sent = True
    for job in reversed(jobs):  # buried newest first
        assert await q.bury(job, 100)
    dead = DeadLetters(redis)
    assert await dead.count(tid="1") == 4
    assert await dead.count_maybe_sent("1") == 1
    letter = await dead.get("1", jobs[1].jid)
    assert letter is not None and letter.maybe_sent
    assert await dead.retry("1") == 3  # "all" leaves out the one that may have been delivered
    assert await dead.retry("1", jobs[1].jid) == 0
    assert await dead.retry("1", jobs[1].jid, confirmed=True) == 1
    got = []
    while len(got) < 4:
        more, _ = await q.claim_many(4)
        got += more
    assert [j.text for j in got] == ["m0", "m2", "m3", "m1"]
    assert not any(j.maybe_sent for j in got)
