"""Every Redis key the bot runtime owns (leases and PTB persistence), in one place."""

from __future__ import annotations

PREFIX = "pz:rt"

# Nudges runtimes to re-read which bots they should serve; the store publishes bot changes
# on store.keys.BOTS_CHANGED, and a runtime that lets a lease go publishes there too.


def lease(bot_tg_id: int) -> str:
    """Which runtime instance polls (or takes webhooks for) this bot."""
    return f"{PREFIX}:lease:{bot_tg_id}"


def _b(bot_tg_id: int) -> str:
    # One hash tag per bot, so a bot's PTB state lives in one Redis Cluster slot.
    return f"{PREFIX}:{{b{bot_tg_id}}}"


def conversations(bot_tg_id: int, name: str) -> str:
    return f"{_b(bot_tg_id)}:conv:{name}"


def user_data(bot_tg_id: int) -> str:
    return f"{_b(bot_tg_id)}:user_data"


def chat_data(bot_tg_id: int) -> str:
    return f"{_b(bot_tg_id)}:chat_data"
