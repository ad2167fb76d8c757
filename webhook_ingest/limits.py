"""Slow and greedy clients: how long a request may take to arrive, and how many connections
one source address (and the whole server) may hold.

aiohttp has no header timeout of its own, but its keep-alive timer runs from the moment a
connection opens (and again from the end of each answer) and closes a connection whose next
request is not complete by then: with a short `keepalive_timeout` that is the header timeout.
The body gets a timeout where the handler reads it (`read_bounded`). Connection caps are
checked as a connection is accepted, by a thin protocol in front of aiohttp's, so a refused
connection costs its descriptor for an instant only.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from perezvon.ratelog import RateLimitedLog

log = logging.getLogger(__name__)
# Descriptors kept free for everything else a process holds (Redis pool, files, the bots).
RESERVED_FDS = 256
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class ClientLimits:
    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    max_per_ip: int = 256
    # None: what the process's descriptor limit (RLIMIT_NOFILE) leaves after RESERVED_FDS.
    max_total: int | None = None

    def total(self) -> int:
        if self.max_total is not None:
            return self.max_total
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return 100_000
        return max(16, soft - RESERVED_FDS)


class ConnectionGate:
    """Counts open connections per source address; refuses past the caps."""

    def __init__(self, limits: ClientLimits) -> None:
        self.limits = limits
        self.max_total = limits.total()
        self.open: Counter[str] = Counter()
        self.total = 0
        self.refused = 0
        self._log = RateLimitedLog(log)

    def admit(self, peer: str) -> bool:
        cap = self.limits.max_per_ip
        if cap and self.open[peer] >= cap:
            return self._refuse("per-address", "%s holds %d connections already (cap %d)",
                                peer, self.open[peer], cap)  # fmt: skip
        if self.total >= self.max_total:
            return self._refuse("total", "%d connections are open (cap %d)",
                                self.total, self.max_total)  # fmt: skip
        self.open[peer] += 1
        self.total += 1
        return True

    def release(self, peer: str) -> None:
        self.total -= 1
        self.open[peer] -= 1
        if self.open[peer] <= 0:
            del self.open[peer]

    def _refuse(self, kind: str, why: str, *args: object) -> bool:
        self.refused += 1
        self._log.warning(kind, "refusing new connections: " + why, *args)
        return False


class _Guarded(asyncio.Protocol):
    """aiohttp's protocol behind a check at accept time; everything else passes through."""

    def __init__(self, gate: ConnectionGate, inner: asyncio.Protocol) -> None:
        self._gate = gate
        self._inner = inner
        self._peer: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peername = transport.get_extra_info("peername")
        peer = str(peername[0]) if isinstance(peername, tuple) else "local"
        if not self._gate.admit(peer):
            transport.abort()
            return
        self._peer = peer
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._peer is None:
            return
        self._gate.release(self._peer)
        self._peer = None
        self._inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._peer is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._peer is not None else None

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


class GuardedSite(web.TCPSite):
    """A TCPSite whose connections pass through a ConnectionGate."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, gate: ConnectionGate,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(runner, host, port, **kwargs)
        self.gate = gate

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        factory: Callable[[], asyncio.Protocol] = lambda: _Guarded(self.gate, server())  # noqa: E731
        self._server = await asyncio.get_running_loop().create_server(
            factory,
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
