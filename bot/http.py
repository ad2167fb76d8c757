"""HTTP clients of the bots: one shared pool for ordinary calls, one long-poll client per bot.

Every client of one runtime verifies TLS with the same `ssl.SSLContext` (`tls_context()`): an
httpx client left to itself loads the CA bundle into a context of its own (~0.8 MiB, even for
http:// URLs), which with a poll client per bot was most of the service's memory (~80 MiB for
100 bots). httpcore sets the ALPN protocols on the context at each connect, so every client
sharing it must speak the same HTTP version (PTB's default, 1.1, for all of ours).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import httpx
from telegram.request import HTTPXRequest


def tls_context() -> ssl.SSLContext:
    """The context one runtime's clients share; httpx's default (certifi, or SSL_CERT_FILE /
    SSL_CERT_DIR from the environment), made once."""
    return httpx.create_ssl_context()


class SharedRequest(HTTPXRequest):
    """One connection pool for every bot's API calls.

    `Bot.shutdown()` closes its requests; with many bots sharing this one, a stopping bot must
    not close it for the others, so that is a no-op and the runtime calls `close()` at the end.
    """

    def __init__(self, tls: ssl.SSLContext, **kwargs: Any) -> None:
        super().__init__(httpx_kwargs={"verify": tls}, **kwargs)
        self.tls = tls

    async def shutdown(self) -> None:
        return None

    async def close(self) -> None:
        await super().shutdown()


class PollRequest(HTTPXRequest):
    """One bot's getUpdates; reports at once when Telegram rejects the token (401)."""

    def __init__(self, on_rejected: Callable[[], None], tls: ssl.SSLContext, **kwargs: Any) -> None:
        super().__init__(httpx_kwargs={"verify": tls}, **kwargs)
        self._on_rejected = on_rejected
        self.tls = tls

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == 401:
            self._on_rejected()
        return code, payload
