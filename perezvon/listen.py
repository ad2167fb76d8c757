"""Whether the HTTP server can listen where INGEST_HOST / INGEST_PORT say, as one clear line.

Checked before anything starts (no bot polls, no Redis starts, for a port that is taken), and
again when the server really binds, since another program may take the port in between.
"""

from __future__ import annotations

import errno
import socket

from perezvon.settings import ConfigError


def listen_error(host: str, port: int, exc: OSError) -> ConfigError:
    """The one line naming the variable to change."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.EADDRINUSE:
        return ConfigError(
            f"INGEST_PORT: port {port} on {host} is already in use (another Perezvon, or "
            "another program): stop it, or choose another INGEST_PORT"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ConfigError(
            f"INGEST_PORT: not allowed to listen on port {port} ({reason}): choose a port "
            "above 1023"
        )
    return ConfigError(f"INGEST_HOST: cannot listen on {host}:{port} ({reason})")


def check_listen(host: str, port: int) -> None:
    """Bind (and let go) every address the server would bind; ConfigError when one fails."""
    if port == 0:
        return
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in addresses:
            with socket.socket(family, kind, proto) as probe:
                # As aiohttp binds: a port in TIME_WAIT is free, a listening one is not.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind(address)
    except OSError as exc:
        raise listen_error(host, port, exc) from None
