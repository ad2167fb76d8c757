"""store/leases.py on every backend: one holder at a time, renew and release by the holder."""

from __future__ import annotations

import asyncio
import time

from store.leases import Leases


async def eventually(probe, within: float = 10.0):
    """Poll what only Redis's clock brings (a lease expiring); fail after `within` s."""
    deadline = time.monotonic() + within
    while not (value := await probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {within}s")
        await asyncio.sleep(0.02)
    return value


async def test_one_holder_at_a_time(redis):
    a, b = Leases(redis, "a", ttl=30), Leases(redis, "b", ttl=30)
    assert await a.acquire(42)
    assert not await b.acquire(42)
    assert await a.acquire(42)  # re-acquiring our own lease renews it
    assert await b.acquire(43)
    assert await a.holder(42) == "a" and await a.holder(43) == "b"


async def test_only_the_holder_renews_or_releases(redis):
    a, b = Leases(redis, "a", ttl=30), Leases(redis, "b", ttl=30)
    await a.acquire(1)
    assert not await b.renew(1)
    assert not await b.release(1)
    assert await a.renew(1)
    assert await a.release(1)
    assert await a.holder(1) is None
    assert not await a.renew(1)
    assert await b.acquire(1)


async def test_an_expired_lease_is_taken_over(redis):
    dead, alive = Leases(redis, "dead", ttl=0.05), Leases(redis, "alive", ttl=30)
    await dead.acquire(9)
    ttl_ms = await redis.pttl("pz:rt:lease:9")
    assert 0 < ttl_ms <= 50
    assert await eventually(lambda: alive.acquire(9))  # once Redis expires it on its clock
    assert not await dead.renew(9)


async def test_renew_many_extends_only_our_live_leases_in_one_go(redis):
    a, b = Leases(redis, "a", ttl=30), Leases(redis, "b", ttl=30)
    for tg_id in (1, 2, 3):
        assert await a.acquire(tg_id)
    assert await b.acquire(4)
    await a.release(3)
    await redis.pexpire("pz:rt:lease:1", 1000)  # nearly expired, still ours
    assert await a.renew_many([1, 2, 3, 4]) == {1, 2}
    assert await redis.pttl("pz:rt:lease:1") > 1000  # extended to the full ttl again
    assert await a.holder(4) == "b" and await a.holder(3) is None
    assert await a.renew_many([]) == set()
