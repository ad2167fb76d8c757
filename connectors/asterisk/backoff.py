"""Exponential backoff with jitter, so many connections do not retry in lockstep."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, low: float, high: float, rng: random.Random) -> float:
    """Delay before retry number `attempt` (0-based): doubling from `low`, capped at `high`."""
    ceiling = min(high, low * (2 ** min(attempt, 30)))
    return rng.uniform(ceiling / 2, ceiling)
