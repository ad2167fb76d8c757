"""A broadcast "something changed" signal that plain sync code can fire and async code can await."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Signal:
    """Wakes every waiter on fire(); waiters re-check their own predicate."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._closed = False

    def close(self) -> None:
        """Release every waiter for good (server shutdown)."""
        self._closed = True
        self.fire()

    def fire(self) -> None:
        """Wake all current waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until predicate() is true or `seconds` pass; return the predicate's last value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, seconds)
        while not predicate():
            if self._closed:
                return False
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True
