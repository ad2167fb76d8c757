"""Tunables of the delivery engine, with the defaults Telegram's limits call for."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Sending budgets, enforced in Redis across every worker and the bots' replies (GCRA).

    Every rate is paced at `(1 - margin)` of its figure with a burst of 1: sends are spaced
    evenly, so no sliding window of Telegram's ever holds more than the figure, even when our
    sends reach Telegram up to ~`margin / rate` late or early (arrival jitter). A bot's own rate
    (a paid-broadcast bot: up to 1000/s) is set per bot in Redis (`delivery.pacing.BotPace`);
    `bot_per_second` is the rate of every other bot.

    Sends that count in the bot's arrival window (`delivery.pacing.Arrivals`: never more than
    its rate in flight or answered within any second) need the margin only for the spacing, so
    it is small. A paid broadcast counts in the bot's paid window, of its paid rate less the 30
    its replies keep (970 at 1000/s): `paid_margin` spaces its slots below that (950/s), so a
    run of late sends waits for the window only now and then instead of at every slot.
    """

    bot_per_second: float = 30.0
    bot_burst: int = 1
    private_per_second: float = 1.0
    private_burst: int = 1
    group_per_minute: float = 20.0
    group_burst: int = 1
    margin: float = 0.01
    paid_margin: float = 0.05
    # A private chat's burst for replies to a person (a command, a button press): Telegram
    # allows none in its strict reading (one message per second in a private chat), and a
    # reply beside the previous one is a 429 that slows the whole token. A press is answered at
    # once (answerCallbackQuery is not counted); only its screen waits for the chat's second.
    reply_burst: int = 1
    # After a 429 the token's rate is multiplied by `backoff` (not below `floor` of its rate),
    # then regains `recovery` of its rate per second: shared by every process through Redis.
    backoff: float = 0.5
    floor: float = 0.1
    recovery: float = 0.02

    def argv(self) -> list[str]:
        keep = 1.0 - self.margin
        return [
            f"{1000.0 / (self.bot_per_second * keep):.6f}",
            str(self.bot_burst),
            f"{1000.0 / (self.private_per_second * keep):.6f}",
            str(self.private_burst),
            f"{60_000.0 / (self.group_per_minute * keep):.6f}",
            str(self.group_burst),
            f"{keep:.6f}",
            f"{self.recovery / 1000.0:.9f}",
            f"{1.0 - self.paid_margin:.6f}",
        ]

    def reply_argv(self) -> list[str]:
        """`argv` with a private chat's burst for replies (groups keep their 20 per minute)."""
        argv = self.argv()
        argv[3] = str(max(self.private_burst, self.reply_burst))
        return argv

    @classmethod
    def loose(cls) -> Limits:
        """For tests and benchmarks that measure something other than the limits."""
        return cls(1e6, 10**6, 1e6, 10**6, 1e8, 10**6, margin=0.0, paid_margin=0.0)


@dataclass(frozen=True, slots=True)
class Breaker:
    """Transport failures (5xx, timeouts, refused or dropped connections) pause the TOKEN.

    The first opens the breaker for `base` s, each failed probe doubles it up to `cap`; when it
    is due, ONE job is sent as a probe (the token is held `probe` s meanwhile), and any answer
    from Telegram closes it.
    """

    base: float = 1.0
    cap: float = 30.0
    probe: float = 15.0


@dataclass(frozen=True, slots=True)
class Retry:
    """Back-off with jitter for a failure about the message itself (not the transport)."""

    attempts: int = 8
    base: float = 1.0
    cap: float = 300.0

    def delay(self, attempt: int, rnd: random.Random | None = None) -> float:
        """Seconds before retry number `attempt` (1-based): "equal jitter" on 2^n."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        return ceiling / 2 + (rnd or random).uniform(0, ceiling / 2)


@dataclass(frozen=True, slots=True)
class Options:
    """How one worker runs: concurrency, leases, timeouts and bounded lists."""

    # Sends in flight per worker (begun, not settled), and as many claimed jobs not yet sending
    # (waiting for their slot, then for room in their arrival windows); the pool holds twice
    # as many connections.
    senders: int = 32
    lease_seconds: float = 15.0  # a worker silent this long is dead; its claims go back
    send_timeout: float = 10.0  # read timeout of one sendMessage
    intake_batch: int = 32  # entries per read of our own pending ones, and per take-over
    # New entries per read of one tenant's stream: a fan-out costs far more than a read, so
    # taking one at a time lets every worker take its share of a burst (20 calls at once: each
    # worker fans out half).
    intake_share: int = 1
    # Tenants one turn reads (`intake_share` new entries each) and fans out side by side: a
    # fan-out mostly waits for Redis, and one at a time a worker's wall time was the limit.
    intake_tenants: int = 8
    intake_block_ms: int = 1000
    stale_intake_ms: int = 30_000  # pending intake entries idle this long are taken over
    # Fan-out tries of one intake entry before it goes to the dead intake record (it is retried
    # every `stale_intake_ms`, so a bug or a Redis hiccup has minutes to clear).
    intake_attempts: int = 10
    dead_intake_cap: int = 1000  # dead intake entries kept (oldest dropped)
    dead_cap: int = 1000  # dead letters kept per tenant (oldest dropped)
    idle_poll: float = 1.0  # longest sleep without a wake-up
    # Shortest sleep when the next job is not due yet: one claim then takes what several bots'
    # tokens allow at once. Below `claim_ahead`, so the next slots are reserved before they pass.
    claim_tick: float = 0.01
    route_cache_seconds: float = 5.0
    # First wait before claimed jobs whose routing or sending raised go back (doubles per
    # failure in a row, up to 30 s).
    failure_backoff: float = 0.2
    fanned_ttl: int = 86_400  # how long a fanned-out intake entry is remembered
    # How long a message may wait for its send (an outage, a paused bot) before it is a dead
    # letter with the reason "expired": Telegram's own horizon for updates.
    max_wait: float = 86_400.0
    # How far ahead a claim reserves send slots: one call then hands out what the budget allows
    # in that time (a 1000/s bot: ~50 jobs), and each is sent at its slot.
    claim_ahead: float = 0.05
