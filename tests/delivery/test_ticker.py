"""delivery/ticker.py: a periodic duty survives a failing tick and Redis being away."""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import ConnectionError as RedisConnectionError

from delivery.ticker import run_ticks


async def test_failed_ticks_are_logged_once_each_and_the_loop_goes_on(caplog):
    log = logging.getLogger("pz.test.ticker")
    calls: list[int] = []

    async def tick() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RedisConnectionError("Connection refused")
        if len(calls) == 2:
            raise KeyError("bug")

    with caplog.at_level(logging.WARNING, logger=log.name):
        await asyncio.wait_for(run_ticks("duty", tick, 0.01, lambda: len(calls) >= 3, log), 5)
    assert calls == [0, 1, 2]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in warnings] == [
        "duty: Redis unavailable (Connection refused); retrying"
    ]
    assert len(errors) == 1 and errors[0].exc_info and "a tick failed" in errors[0].getMessage()
