"""Group commit: concurrent requests of one tenant share one `Intake.submit_many` call.

Nothing waits for a timer: an idle tenant's request is submitted at once; requests arriving
while that submit runs are queued and go together in the next one. The answers are exactly
those of submitting the requests one after another in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from delivery.intake import Intake, Receipt
from store.errors import InvalidInput
from store.events import CallEvent
from store.models import Tenant

MAX_EVENTS = 1000
# Each submit holds up to three Redis connections; redis-py's pool refuses past 100 by default.
MAX_CONCURRENT_SUBMITS = 16


@dataclass
class _Waiting:
    events: Sequence[CallEvent]
    future: asyncio.Future[list[Receipt]] = field(repr=False)


class Batcher:
    """Per tenant at most one submit in flight; at most `max_submits` across all tenants."""

    def __init__(
        self,
        intake: Intake,
        *,
        max_events: int = MAX_EVENTS,
        max_submits: int = MAX_CONCURRENT_SUBMITS,
    ) -> None:
        self._intake = intake
        self._max_events = max_events
        self._slots = asyncio.Semaphore(max_submits)
        self._queues: dict[str, deque[_Waiting]] = {}
        self._drains: dict[str, asyncio.Task[None]] = {}

    async def submit(self, tenant: Tenant, events: Sequence[CallEvent]) -> list[Receipt]:
        """Receipts for `events`, in order; durable when this returns (as `submit_many`)."""
        waiting = _Waiting(events, asyncio.get_running_loop().create_future())
        self._queues.setdefault(tenant.id, deque()).append(waiting)
        if tenant.id not in self._drains:
            self._drains[tenant.id] = asyncio.create_task(
                self._drain(tenant), name=f"ingest-batch-{tenant.id}"
            )
        return await asyncio.shield(waiting.future)

    def _take(self, queue: deque[_Waiting]) -> list[_Waiting]:
        taken = [queue.popleft()]
        size = len(taken[0].events)
        while queue and size + len(queue[0].events) <= self._max_events:
            size += len(queue[0].events)
            taken.append(queue.popleft())
        return taken

    async def _drain(self, tenant: Tenant) -> None:
        try:
            while queue := self._queues.get(tenant.id):
                taken = self._take(queue)
                if not queue:
                    del self._queues[tenant.id]
                async with self._slots:
                    await self._submit(tenant, taken)
        finally:
            del self._drains[tenant.id]
            for waiting in self._queues.pop(tenant.id, ()):
                _fail(waiting, RuntimeError("ingest is shutting down"))

    async def _submit(self, tenant: Tenant, taken: list[_Waiting]) -> None:
        try:
            receipts = await self._intake.submit_many(tenant, [e for w in taken for e in w.events])
        except InvalidInput as exc:
            if len(taken) == 1:
                _fail(taken[0], exc)
                return
            # Only the request that carries the bad value should hear about it.
            for waiting in taken:
                await self._submit(tenant, [waiting])
            return
        except BaseException as exc:
            for waiting in taken:
                _fail(waiting, exc)
            if not isinstance(exc, Exception):
                raise
            return
        start = 0
        for waiting in taken:
            end = start + len(waiting.events)
            if not waiting.future.done():
                waiting.future.set_result(receipts[start:end])
            start = end

    async def close(self) -> None:
        """Let queued submits finish (they are cheap), so no accepted request is cut off."""
        if self._drains:
            await asyncio.gather(*self._drains.values(), return_exceptions=True)


def _fail(waiting: _Waiting, exc: BaseException) -> None:
    if waiting.future.done():
        return
    if isinstance(exc, asyncio.CancelledError):
        waiting.future.cancel()
    else:
        waiting.future.set_exception(exc)
    # The waiter may be gone already; retrieving the exception keeps asyncio quiet about it.
    waiting.future.add_done_callback(lambda f: f.cancelled() or f.exception())
