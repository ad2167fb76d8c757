"""Settings of one emulator instance, passed into the app factory."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits; every send must fit all buckets that apply to it."""

    enabled: bool = True
    bot_per_second: float = 30.0
    bot_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    # The official server answers 429 (retry after 60) past about this many concurrent requests.
    max_in_flight_per_bot: int = 1000

    @classmethod
    def loose(cls) -> RateLimits:
        """Limits high enough that benchmarks and bulk tests never hit them."""
        return cls(
            bot_per_second=1e9,
            bot_burst=10**9,
            private_per_second=1e9,
            private_burst=10**9,
            group_per_minute=10**9,
            max_in_flight_per_bot=10**9,
        )


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything tunable about the emulator; defaults mirror Telegram."""

    limits: RateLimits = field(default_factory=RateLimits)
    max_long_poll_seconds: float = 50.0
    max_control_wait_seconds: float = 60.0
    webhook_timeout_seconds: float = 10.0
    webhook_retry_initial_seconds: float = 0.2
    webhook_retry_max_seconds: float = 5.0
    timeout_fault_default_seconds: float = 30.0
    api_log_limit: int = 10_000
    event_log_limit: int = 100_000
    max_text_length: int = 4096
    # Where the world is kept across restarts (the sandbox); None: in memory only (tests).
    state_file: str | None = None
