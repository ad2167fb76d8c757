"""Settings of one AMI connection, validated once and passed in."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from connectors.asterisk.detector import DetectorSettings


@dataclass(frozen=True, slots=True)
class AmiSettings:
    """Where and how to reach one Asterisk; `secret` is kept out of repr and logs."""

    host: str
    username: str
    secret: str = field(repr=False)
    port: int = 5038
    tls: bool = False
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)
    name: str = ""
    call_id_prefix: str = "ami:"
    keepalive_interval: float = 20.0
    keepalive_timeout: float = 10.0
    connect_timeout: float = 10.0
    backoff_min: float = 1.0
    backoff_max: float = 60.0
    # A session counts as healthy (the backoff starts over) only after staying up this long:
    # a PBX that accepts the login and hangs up at once is not retried every second forever.
    healthy_after: float = 30.0
    delivery_retry_min: float = 1.0
    delivery_retry_max: float = 60.0
    tick_interval: float = 0.5
    max_outbox: int = 10_000
    detector: DetectorSettings = field(default_factory=DetectorSettings)

    def __post_init__(self) -> None:
        if not self.host or not self.username:
            raise ValueError("AMI host and username are required")
        if not 0 < self.port < 65_536:
            raise ValueError(f"AMI port out of range: {self.port}")
        if not 0 < self.backoff_min <= self.backoff_max:
            raise ValueError("need 0 < backoff_min <= backoff_max")
        if not 0 < self.delivery_retry_min <= self.delivery_retry_max:
            raise ValueError("need 0 < delivery_retry_min <= delivery_retry_max")
        positive = (
            self.keepalive_interval,
            self.keepalive_timeout,
            self.connect_timeout,
            self.tick_interval,
            self.healthy_after,
        )
        if min(positive) <= 0 or self.max_outbox < 1:
            raise ValueError("timeouts, intervals and max_outbox must be positive")
        if any(c in self.username + self.secret for c in "\r\n"):
            raise ValueError("AMI username and secret must not contain line breaks")

    @property
    def label(self) -> str:
        """How logs name this connection: its name, else user@host:port."""
        return self.name or f"{self.username}@{self.host}:{self.port}"

    def tls_context(self) -> ssl.SSLContext | None:
        """The TLS context to connect with, or None for plain TCP."""
        if not self.tls:
            return None
        return self.ssl_context or ssl.create_default_context()
