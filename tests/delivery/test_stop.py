"""stop() ends even when a loop swallows cancels (redis-py does, inside a command)."""

from __future__ import annotations

import asyncio

import pytest

from delivery.fanout import FanOut


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_stop_finishes_when_a_loop_swallows_its_cancels(world, make_engine, monkeypatch):
    swallowed: list[int] = []
    running = asyncio.Event()

    async def run_like_redis_py(self) -> None:
        # Ignores the stop flag and eats the first two cancels, as a blocking read can.
        running.set()
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if len(swallowed) == 2:
                    raise
                swallowed.append(1)

    monkeypatch.setattr(FanOut, "run", run_like_redis_py)
    engine = await make_engine()
    await running.wait()
    await asyncio.wait_for(engine.stop(grace=0.1), timeout=10)
    assert len(swallowed) == 2
    assert all(task.done() for task in engine._tasks) and not engine._tasks


async def test_the_fanout_loop_ends_on_its_stop_flag_without_a_cancel(world, make_engine):
    engine = await make_engine()
    fanout_task = engine._tasks[0]
    engine.fanout.stopping = True
    await asyncio.wait_for(fanout_task, timeout=5)  # its blocking read is short: it notices
    assert fanout_task.done() and not fanout_task.cancelled()
