"""HTTP clients of the bots: one shared pool for ordinary calls, one long-poll client per bot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.request import HTTPXRequest


class SharedRequest(HTTPXRequest):
    """One connection pool (and TLS context) for every bot's API calls.

    `Bot.shutdown()` closes its requests; with many bots sharing this one, a stopping bot must
    not close it for the others, so that is a no-op and the runtime calls `close()` at the end.
    """

    async def shutdown(self) -> None:
        return None

    async def close(self) -> None:
        await super().shutdown()


class PollRequest(HTTPXRequest):
    """One bot's getUpdates; reports at once when Telegram rejects the token (401)."""

    def __init__(self, on_rejected: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_rejected = on_rejected

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == 401:
            self._on_rejected()
        return code, payload
