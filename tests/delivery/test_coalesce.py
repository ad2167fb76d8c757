"""Group commit: concurrent callers share flushes, each returns once its item is written."""

from __future__ import annotations

import asyncio

import pytest

from delivery.coalesce import GroupCommit


async def test_callers_arriving_during_a_flush_share_the_next_one():
    flushed: list[list[int]] = []
    gate = asyncio.Event()

    async def flush(items: list[int]) -> None:
        flushed.append(items)
        await gate.wait()

    commit: GroupCommit[int] = GroupCommit(flush)
    first = asyncio.create_task(commit(0))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert flushed == [[0]]  # no waiting for company: the first item goes at once
    rest = [asyncio.create_task(commit(i)) for i in range(1, 6)]
    await asyncio.sleep(0)
    assert not any(t.done() for t in (first, *rest))  # nobody returns before its write
    gate.set()
    await asyncio.gather(first, *rest)
    assert flushed == [[0], [1, 2, 3, 4, 5]]


async def test_a_failed_flush_fails_every_caller_of_that_batch_only():
    calls = 0

    async def flush(items: list[str]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("redis went away")

    commit: GroupCommit[str] = GroupCommit(flush)
    results = await asyncio.gather(commit("a"), commit("b"), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    await commit("c")  # the next batch is flushed normally
    assert calls == 2


async def test_a_cancelled_caller_does_not_break_the_others():
    gate = asyncio.Event()
    flushed: list[list[int]] = []

    async def flush(items: list[int]) -> None:
        flushed.append(items)
        await gate.wait()

    commit: GroupCommit[int] = GroupCommit(flush)
    a = asyncio.create_task(commit(1))
    await asyncio.sleep(0.01)
    b = asyncio.create_task(commit(2))
    await asyncio.sleep(0)
    a.cancel()
    gate.set()
    await b
    with pytest.raises(asyncio.CancelledError):
        await a
    assert flushed == [[1], [2]]


async def test_a_flush_answering_a_list_hands_each_caller_its_own_answer():
    async def flush(items: list[int]) -> list[int]:
        await asyncio.sleep(0)
        return [10 * i for i in items]

    commit: GroupCommit[int] = GroupCommit(flush)
    assert await asyncio.gather(*(commit(i) for i in range(5))) == [0, 10, 20, 30, 40]
