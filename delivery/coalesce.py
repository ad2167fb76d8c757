"""Group commit: items handed in by concurrent callers go to Redis together, with no added wait.

The first caller starts a flush at once; whoever arrives while it runs waits for the next one,
which takes everything queued by then. Each caller returns only when its own item is written,
so "durable when the call returns" still holds, one round trip is shared by a whole batch.
A flush that returns a list (one answer per item, in order) hands each caller its own answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(self, flush: Callable[[list[T]], Awaitable[object]]) -> None:
        self._flush = flush
        self._pending: list[tuple[T, asyncio.Future[Any]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    answers = await self._flush([item for item, _ in batch])
                except asyncio.CancelledError:
                    for _, future in batch:
                        future.cancel()
                    raise
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                else:
                    each = isinstance(answers, list) and len(answers) == len(batch)
                    for i, (_, future) in enumerate(batch):
                        if not future.done():
                            future.set_result(answers[i] if each else None)
        finally:
            self._runner = None
            for _, future in self._pending:  # cancelled while waiting: nobody will flush these
                if not future.done():
                    future.set_exception(RuntimeError("group commit stopped"))
            self._pending = []
