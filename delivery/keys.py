"""Every Redis key of the delivery engine, in one place (the Lua scripts build the same).

Every key here but `told_broken` shares the hash tag `{dlv}`: the whole queue lives in one
Redis Cluster slot, so each script and MULTI of the queue touches one slot (docs/redis.md).
"""

from __future__ import annotations

from store.intake import GROUP
from store.keys import PREFIX, intake

P = f"{PREFIX}:{{dlv}}"
# The prefix of the queue before it had a hash tag (moved once at start: delivery/upgrade.py).
OLD_P = f"{PREFIX}:dlv"
__all__ = ["GROUP", "intake"]  # the tenants' intake streams and their group (store/intake.py)
SEQ = f"{P}:seq"
# bot telegram id -> the time (ms) its lanes may next be looked at.
BOTS = f"{P}:bots"
# live workers: consumer name -> lease expiry (ms).
CONSUMERS = f"{P}:consumers"
# counters for the gauges: jobs (queued or in flight), dead.
STATS = f"{P}:stats"
WAKE = f"{P}:wake"
# Pub/sub: "<bot>:<seconds>" when a send of the bot met a 429, so every worker holds back the
# jobs it claimed ahead (delivery.sender.Sender.paused), not only the one that saw it.
PAUSED = f"{P}:paused"
# Intake entries that failed to fan out too many times: JSON records, newest first, capped.
DEAD_INTAKE = f"{P}:dead_intake"


def job(jid: str) -> str:
    return f"{P}:job:{jid}"


def lanes(bot: int | str) -> str:
    return f"{P}:lanes:{bot}"


def lane(bot: int | str, tid: str) -> str:
    return f"{P}:q:{bot}:{tid}"


def later(bot: int | str, tid: str) -> str:
    return f"{P}:later:{bot}:{tid}"


def inflight(consumer: str) -> str:
    return f"{P}:inflight:{consumer}"


def dead(tid: str) -> str:
    return f"{P}:dead:{tid}"


def pause(bot: int | str) -> str:
    return f"{P}:pause:{bot}"


def fanned(stream: str, entry_id: str) -> str:
    return f"{P}:fanned:{stream}:{entry_id}"


def data(ref: str) -> str:
    """The data many jobs of one fan-out share {d: data, n: jobs still using it}."""
    return f"{P}:data:{ref}"


def fanning(stream: str, entry_id: str) -> str:
    """The copies of an entry queued so far, while its fan-out runs in chunks."""
    return f"{P}:fanning:{stream}:{entry_id}"


def hint(tid: str, chat_id: int, bot_id: str) -> str:
    return f"{P}:hint:{tid}:{chat_id}:{bot_id}"


def told_broken(tid: str, bot_id: str) -> str:
    """Set while the admins know the bot's token was rejected; in the tenant's slot, as the
    Outbox sets it in the MULTI that appends the notice to the tenant's intake stream."""
    return f"{PREFIX}:{{t{tid}}}:dlv:told_broken:{bot_id}"


def intake_tries(stream: str, entry_id: str) -> str:
    return f"{P}:intake_tries:{stream}:{entry_id}"


def pace(bot: int | str) -> str:
    """A bot's own rate (hash: rate per second, paid 0/1)."""
    return f"{P}:pace:{bot}"


def slow(bot: int | str) -> str:
    """A bot slowed after a 429 (hash: fraction of its rate f at time t, last cut)."""
    return f"{P}:slow:{bot}"


def breaker(bot: int | str) -> str:
    """A bot's circuit breaker after transport failures (hash: n, state, since)."""
    return f"{P}:brk:{bot}"


def hold(bot: int | str, chat_id: int | str) -> str:
    """Until when (ms) a chat's jobs wait behind one of its jobs that waits for a retry."""
    return f"{P}:hold:{bot}:{chat_id}"


def arrivals(bot: int | str, chat: int | str | None = None) -> str:
    """A bot's (or its chat's) sends that may still be inside Telegram's window (zset: send id
    -> the time it arrived by)."""
    return f"{P}:arr:{bot}" if chat is None else f"{P}:arr:{bot}:{chat}"


def paid_arrivals(bot: int | str) -> str:
    """A bot's paid broadcasts (`allow_paid_broadcast`) that may still be inside Telegram's
    paid window, apart from its other sends' window (the same zset form as `arrivals`)."""
    return f"{P}:arrp:{bot}"
