"""Group commit: concurrent requests of one tenant share one call of a batch operation.

`Batcher` shares `Intake.submit_many` (the accept of missed calls); `GroupCommit` is the same
for any operation taking a tenant's items in order and answering one result per item (the
connectors' per-call fold, store/pbx_calls.py `fold_many`).

Nothing waits for a timer: an idle tenant's request is submitted at once; requests arriving
while that submit runs are queued and go together in the next one. The answers are exactly
those of submitting the requests one after another in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from delivery.intake import Intake, Receipt
from store.errors import InvalidInput
from store.events import CallEvent
from store.models import Tenant

MAX_EVENTS = 1000
# Each submit holds up to three Redis connections; redis-py's pool refuses past 100 by default.
MAX_CONCURRENT_SUBMITS = 16


T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Waiting(Generic[T, R]):
    events: Sequence[T]
    future: asyncio.Future[list[R]] = field(repr=False)


class GroupCommit(Generic[T, R]):
    """Per tenant at most one submit in flight; at most `max_submits` across all tenants.

    `flush(tenant, items)` answers one result per item, in order; an `InvalidInput` from it is
    retried request by request, so only the request that carries the bad value hears of it.
    """

    def __init__(
        self,
        flush: Callable[[Tenant, list[T]], Awaitable[list[R]]],
        *,
        max_events: int = MAX_EVENTS,
        max_submits: int = MAX_CONCURRENT_SUBMITS,
        name: str = "ingest-batch",
    ) -> None:
        self._flush = flush
        self._name = name
        self._max_events = max_events
        self._slots = asyncio.Semaphore(max_submits)
        self._queues: dict[str, deque[_Waiting[T, R]]] = {}
        self._drains: dict[str, asyncio.Task[None]] = {}

    async def submit(self, tenant: Tenant, events: Sequence[T]) -> list[R]:
        """Results for `events`, in order, once `flush` has returned for them."""
        waiting = _Waiting(events, asyncio.get_running_loop().create_future())
        self._queues.setdefault(tenant.id, deque()).append(waiting)
        if tenant.id not in self._drains:
            self._drains[tenant.id] = asyncio.create_task(
                self._drain(tenant), name=f"{self._name}-{tenant.id}"
            )
        return await asyncio.shield(waiting.future)

    def _take(self, queue: deque[_Waiting[T, R]]) -> list[_Waiting[T, R]]:
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

    async def _submit(self, tenant: Tenant, taken: list[_Waiting[T, R]]) -> None:
        try:
            receipts = await self._flush(tenant, [e for w in taken for e in w.events])
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


class Batcher(GroupCommit[CallEvent, Receipt]):
    """Missed calls: receipts durable when `submit` returns (as `Intake.submit_many`)."""

    def __init__(
        self,
        intake: Intake,
        *,
        max_events: int = MAX_EVENTS,
        max_submits: int = MAX_CONCURRENT_SUBMITS,
    ) -> None:
        super().__init__(
            lambda tenant, events: intake.submit_many(tenant, events),
            max_events=max_events,
            max_submits=max_submits,
        )


def _fail(waiting: _Waiting, exc: BaseException) -> None:
    if waiting.future.done():
        return
    if isinstance(exc, asyncio.CancelledError):
        waiting.future.cancel()
    else:
        waiting.future.set_exception(exc)
    # The waiter may be gone already; retrieving the exception keeps asyncio quiet about it.
    waiting.future.add_done_callback(lambda f: f.cancelled() or f.exception())
