"""stop() ends every loop even when a cancellation is swallowed (redis-py does, now and then,
when it lands inside a command)."""

from __future__ import annotations

import asyncio

from bot.runtime import BotRuntime
from perezvon.texts import Catalogue

from .conftest import TEST_SECRET


async def test_stop_ends_the_listener_when_redis_swallows_its_cancel(
    world, runtimes, store, monkeypatch
):
    swallowed: list[int] = []
    listening = asyncio.Event()
    real = store.redis.pubsub

    def pubsub(**kwargs):
        ps = real(**kwargs)
        original = ps.get_message

        async def get_message(**kw):
            listening.set()
            try:
                return await original(**kw)
            except asyncio.CancelledError:  # what redis-py does now and then
                swallowed.append(1)
                return None

        ps.get_message = get_message
        return ps

    monkeypatch.setattr(store.redis, "pubsub", pubsub)
    runtime = await runtimes()
    await listening.wait()
    async with asyncio.timeout(10):
        await runtime.stop()
    assert swallowed, "the cancel never landed inside get_message: the test proved nothing"
    assert runtime.serving == frozenset()


class Stubborn(BotRuntime):
    """A loop that catches its first CancelledError and ignores the stop flag."""

    swallowed = 0
    running: asyncio.Event

    async def _renew(self) -> None:
        while True:
            try:
                self.running.set()
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                self.swallowed += 1
                if self.swallowed > 1:
                    raise


async def test_stop_repeats_the_cancel_until_every_loop_ended(world, store):
    runtime = Stubborn(
        store,
        Catalogue(),
        api_base=world.base_url,
        default_token=world.default.token,
        secret_key=TEST_SECRET,
        instance_id="stubborn",
        lease_ttl=3.0,
        poll_timeout=1.0,
    )
    runtime.running = asyncio.Event()
    await runtime.start()
    await runtime.running.wait()
    stopping = asyncio.create_task(runtime.stop())
    done, _ = await asyncio.wait({stopping}, timeout=10)
    assert done, "stop() hung on a swallowed cancel"
    await stopping
    assert runtime.swallowed == 2
