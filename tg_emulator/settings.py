"""Settings of one emulator instance, passed into the app factory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STRICT = "strict"
LENIENT = "lenient"
LIMIT_MODELS = (STRICT, LENIENT)


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits; every send and edit must fit all of them (tg_emulator/limits.py).

    `model` "strict" (the default): sliding windows, the most conservative reading of Telegram's
    rules: at most `bot_per_second` sends of a bot in ANY 1-second window, `private_per_second`
    per private chat, `group_per_minute` per group in any 60-second window. "lenient": token
    buckets of `bot_burst` / `private_burst` / `group_per_minute` refilled at the same rates, which
    let a full bucket's burst through on top of the rate (an older, kinder model).
    """

    enabled: bool = True
    model: str = STRICT
    bot_per_second: float = 30.0
    bot_burst: int = 30  # lenient only
    private_per_second: float = 1.0
    private_burst: int = 3  # lenient only
    group_per_minute: int = 20
    # Rates of particular bots (Telegram bot id -> sends per second) instead of bot_per_second;
    # the control API sets them at run time too (POST /_emulator/bots/{id}/limits).
    bot_rates: Mapping[int, float] = field(default_factory=dict)
    # The official server answers 429 (retry after 60) past about this many concurrent requests.
    max_in_flight_per_bot: int = 1000

    def __post_init__(self) -> None:
        if self.model not in LIMIT_MODELS:
            raise ValueError(f"model must be one of {LIMIT_MODELS}, not {self.model!r}")

    @classmethod
    def lenient(cls, **overrides: Any) -> RateLimits:
        """The token-bucket model (bursts of `bot_burst` on top of the rate)."""
        return cls(model=LENIENT, **overrides)

    @classmethod
    def loose(cls) -> RateLimits:
        """Limits high enough that benchmarks and bulk tests never hit them."""
        return cls(
            model=LENIENT,  # buckets cost O(1) memory whatever their size; windows would not
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
    # Uploads (sendPhoto, sendDocument): Telegram's 10 MB and 50 MB.
    max_photo_bytes: int = 10 * 1024 * 1024
    max_document_bytes: int = 50 * 1024 * 1024
    # Where the world is kept across restarts (the sandbox); None: in memory only (tests).
    state_file: str | None = None
