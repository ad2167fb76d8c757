"""Fixtures of the bot tests: waiting for a condition that has no event to await."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

Probe = Callable[[], Awaitable[object]]


async def _eventually(probe: Probe, timeout: float = 10.0, step: float = 0.02) -> object:  # noqa: ASYNC109
    """Poll `probe` until it returns something truthy; fail the test after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    for _ in range(int(timeout / step) + 2):
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture
def eventually() -> Callable[..., Awaitable[object]]:
    """For things only time brings (a lease expiring in Redis): poll instead of a fixed sleep."""
    return _eventually
