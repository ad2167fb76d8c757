"""The durable job queue: Python face of the Lua scripts (see delivery/scripts.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from redis.asyncio import Redis

from delivery import keys
from delivery.coalesce import GroupCommit
from delivery.pacing import Budget, clock_arg
from delivery.policy import Breaker, Limits
from delivery.scripts import ACK_ENTRY, PRELUDE, SCRIPTS

# Jobs one fan-out script creates at most (an intake entry's copies go in chunks of it).
FANOUT_CHUNK = 500


class Kind(StrEnum):
    CALL = "call"  # a missed-call notification to a subscriber
    SERVICE = "service"  # a text a handler queued through the Outbox
    ADMIN = "admin"  # a notice to a tenant's admin (new group, broken bot)
    EDIT = "edit"  # bring one chat's copies of a follow-up card up to date (delivery/edits.py)
    FAREWELL = "farewell"  # from a bot being switched off, through that bot only
    FILE = "file"  # a photo or a document, its text the caption (delivery/files.py)


@dataclass(slots=True)
class Job:
    """One message to one chat; `d` in Redis holds everything but the routing fields."""

    jid: str
    bot: int
    tid: str
    chat: int
    kind: Kind
    text: str
    markup: dict | None = None
    at: float = 0.0  # when the work was accepted (epoch seconds), for the latency histogram
    call: str = ""
    attempts: int = 0
    tried: list[int] = field(default_factory=list)  # bots that may not write to this chat
    error: str = ""
    dead_at: float = 0.0
    silent: bool = False  # sent with disable_notification (off hours, quiet hours)
    topic: str = ""  # the group whose forum topic this goes to (delivery/topics.py)
    thread: int = 0  # that topic's message_thread_id, once known
    maybe_sent: bool = False  # timed out after the request left: Telegram may have it
    # A FILE job: "photo" or "document", the key of its bytes (store.keys.upload), its name.
    media: str = ""
    file: str = ""
    filename: str = ""
    shown: int = 0  # the card version a card's message shows (an escalation); 0: its first
    # Set by a claim, never stored: seconds until the job's send slot, and whether its bot
    # sends paid broadcasts.
    due: float = 0.0
    paid: bool = False

    def data(self) -> str:
        """Everything but the routing fields, as JSON (a fan-out writes thousands: no asdict)."""
        d = {
            "kind": self.kind.value,
            "text": self.text,
            "markup": self.markup,
            "at": self.at,
            "call": self.call,
            "attempts": self.attempts,
            "tried": self.tried,
            "error": self.error,
            "dead_at": self.dead_at,
            "maybe_sent": self.maybe_sent,
        }
        # Only when set: jobs without them stay readable by code that lacks the fields.
        if self.silent:
            d["silent"] = True
        if self.topic:
            d["topic"], d["thread"] = self.topic, self.thread
        if self.file:
            d["media"], d["file"], d["filename"] = self.media, self.file, self.filename
        if self.shown:
            d["shown"] = self.shown
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, jid: str, h: dict[str, str]) -> Job:
        d = json.loads(h["d"])
        d["kind"] = Kind(d["kind"])
        return cls(jid=jid, bot=int(h["b"]), tid=h["t"], chat=int(h["c"]), **d)


def _ref(data: str) -> str:
    return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()


@dataclass(slots=True)
class Copies:
    """One message to many chats: what every copy shares, and (bot, chat) per copy."""

    template: Job  # its bot and chat are not used
    targets: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Claim:
    jid: str
    bot: int
    tid: str


@dataclass(frozen=True, slots=True)
class Depth:
    queued: int
    waiting: int
    in_flight: int
    dead: int


class JobQueue:
    """Enqueue, claim under the limits, and settle jobs; every step is one script.

    `clock` (epoch seconds) replaces Redis TIME in every script: for tests on a driven clock.
    """

    def __init__(
        self,
        redis: Redis,
        consumer: str,
        limits: Limits,
        *,
        breaker: Breaker | None = None,
        ahead: float = 0.0,
        clock: Callable[[], float] | None = None,
        chunk: int = FANOUT_CHUNK,
    ) -> None:
        self._r = redis
        self.consumer = consumer
        self.limits = limits
        self._limits = limits.argv()
        self._breaker = breaker or Breaker()
        self._ahead = f"{ahead * 1000.0:.3f}"
        self._clock = clock
        self._scripts = {
            name: redis.register_script(PRELUDE + src) for name, src in SCRIPTS.items()
        }
        self._ack_entry = redis.register_script(ACK_ENTRY)
        self._fanout_script = self._scripts["fanout"]
        self.budget = Budget(redis, limits, clock)
        self._acks: GroupCommit[str] = GroupCommit(lambda jids: self.ack(*jids))
        # Jobs per fan-out script (bench/fanout_profile.py: 500 take Redis ~2 ms; 1,000 up to
        # 13 ms), so a big fan-out never blocks every other client for long.
        self.chunk = chunk

    async def _run(self, name: str, key: str, *args: object):
        """Run script `name`; `key` (one of the queue's, all in the `{dlv}` slot) goes in KEYS
        so a cluster client routes the script to that slot's node."""
        return await self._scripts[name](keys=[key], args=[keys.P, clock_arg(self._clock), *args])

    async def enqueue(
        self,
        jobs: list[Job],
        entry_id: str = "",
        *,
        stream: str = "",
        fanned_ttl: int = 86_400,
        ack: bool = True,
    ) -> int:
        """Queue jobs, only once per entry of the intake `stream` (when given), then ack and
        delete that entry (`ack=False` leaves that second step to `ack_entry`)."""
        groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for job in jobs:
            groups.setdefault((job.tid, job.data()), []).append((job.bot, job.chat))
        return await self._fanout(groups, stream, entry_id, fanned_ttl, ack)

    async def enqueue_copies(
        self,
        copies: Copies | list[Copies] | None,
        entry_id: str = "",
        *,
        stream: str = "",
        fanned_ttl: int = 86_400,
    ) -> int:
        """`enqueue` for one message (or a few variants of it) to many chats: each variant's
        data is encoded and sent once."""
        variants = copies if isinstance(copies, list) else [copies] if copies else []
        groups = {(c.template.tid, c.template.data()): c.targets for c in variants if c.targets}
        return await self._fanout(groups, stream, entry_id, fanned_ttl, True)

    async def _fanout(
        self,
        groups: dict[tuple[str, str], list[tuple[int, int]]],
        stream: str,
        entry_id: str,
        ttl: int,
        ack: bool,
    ) -> int:
        # A message to many chats is stored once, its jobs naming it (a ref by its content, so a
        # re-run after a crash names the same); a single copy keeps its data in its job.
        variants = [
            v
            for (tid, data), targets in groups.items()
            for v in (tid, data, _ref(data) if len(targets) > 1 else "")
        ]
        # k numbers one chat's copies within the entry: "<chat> <k>" names a copy in the
        # entry's set of those queued, whatever order a re-run lists them in.
        seen: dict[int, int] = {}
        lines = []
        for vi, targets in enumerate(groups.values(), 1):
            for bot, chat in targets:
                k = seen.get(chat, 0)
                seen[chat] = k + 1
                lines.append(f"{vi} {bot} {chat} {k}")
        if not entry_id:
            # No entry, no record to resume from: one script, all or nothing.
            return max(0, await self._chunk([keys.SEQ], stream, "", ttl, True, variants, lines))
        # Step 1, in the queue's slot, a chunk at a time: the jobs, under the entry's marker
        # (a second fan-out of the same entry creates nothing).
        marks = [keys.fanned(stream, entry_id), keys.fanning(stream, entry_id)]
        created, size = 0, self.chunk
        for start in range(0, max(1, len(lines)), size):
            last = start + size >= len(lines)
            n = await self._chunk(
                marks, stream, entry_id, ttl, last, variants, lines[start : start + size]
            )
            if n < 0:
                break  # fanned out already (a crash came after its last chunk)
            created += n
        # Step 2, in the tenant's slot. A crash before it (or between chunks) leaves the entry
        # pending: it is read again, and its marks make that fan-out queue only the rest.
        if ack:
            await self.ack_entry(stream, entry_id)
        return created

    async def _chunk(
        self,
        marks: list[str],
        stream: str,
        entry_id: str,
        ttl: int,
        last: bool,
        variants: list[str],
        lines: list[str],
    ) -> int:
        """One fan-out script: `marks` (all in the queue's slot) go in KEYS."""
        args = [keys.P, clock_arg(self._clock), stream, entry_id, ttl, "1" if last else "0",
                len(variants) // 3, *variants, "\n".join(lines)]  # fmt: skip
        return int(await self._fanout_script(keys=marks, args=args))

    async def ack_entry(self, stream: str, entry_id: str) -> None:
        """The entry of the intake `stream` is fanned out: ack it and delete it (one script on
        the stream's key, its slot the tenant's; a Cluster's transaction pipeline costs ~1 ms
        of blocked event loop per command, docs/redis.md)."""
        await self._ack_entry(keys=[stream], args=[keys.GROUP, entry_id])

    async def claim_many(self, most: int, budget: int = 64) -> tuple[list[Job], float | None]:
        """Up to `most` jobs we may send right now, claimed in one script, with their data;
        and seconds until more may be ready (0: look again now; None: nothing is queued)."""
        res = await self._run(
            "claim",
            keys.BOTS,
            self.consumer,
            *self._limits,
            max(budget, 2 * most),
            most,
            self._ahead,
            round(self._breaker.probe * 1000),
        )
        now = float(res[1])
        clock = self.budget.clock
        if self._clock is None:
            clock.observe(now)
        jobs = []
        for i in range(2, len(res), 7):
            job = Job.load(
                res[i], {"b": res[i + 1], "t": res[i + 2], "c": res[i + 3], "d": res[i + 4]}
            )
            # Seconds until its slot, counted from the script's now (not from our reading of
            # the answer, which a busy loop delays by a different amount each time).
            delay = float(res[i + 5])
            job.due = delay / 1000.0 if self._clock else max(0.0, clock.until(now + delay))
            job.paid = res[i + 6] == "1"
            jobs.append(job)
        wait = int(res[0])
        return jobs, (None if wait < 0 else wait / 1000.0)

    async def claim(self, budget: int = 64) -> Claim | float | None:
        """A job we may send right now, else seconds until one may be ready (None: empty)."""
        jobs, wait = await self.claim_many(1, budget)
        if jobs:
            return Claim(jobs[0].jid, jobs[0].bot, jobs[0].tid)
        return wait

    async def load(self, jid: str) -> Job | None:
        h = await self._r.hgetall(keys.job(jid))
        if h and "d" not in h and "r" in h:
            h["d"] = await self._r.hget(keys.data(h["r"]), "d")
        return Job.load(jid, h) if h and h.get("d") else None

    async def ack(self, *jids: str) -> None:
        """Forget sent jobs (one script for any number of them)."""
        if jids:
            await self._run("ack", keys.inflight(self.consumer), self.consumer, *jids)

    async def ack_grouped(self, jid: str) -> None:
        """`ack(jid)`, sharing one script call with the acks of concurrent sends."""
        await self._acks(jid)

    async def requeue(self, job: Job, *, front: bool = True, delay: float = 0.0) -> bool:
        """Back into its (possibly new) lane: now at the head, or after `delay` seconds."""
        res = await self._run(
            "requeue",
            keys.inflight(self.consumer),
            self.consumer,
            job.jid,
            job.bot,
            job.tid,
            job.chat,
            job.data(),
            "1" if front else "0",
            round(delay * 1000),
        )
        return bool(res)

    async def release(self, jid: str) -> bool:
        """Back to the head of its lane as it was (we could not finish it)."""
        return bool(await self._run("release", keys.inflight(self.consumer), self.consumer, jid))

    async def bury(self, job: Job, cap: int) -> bool:
        """Into the tenant's dead letters (kept: the newest `cap`)."""
        return bool(
            await self._run(
                "bury", keys.inflight(self.consumer), self.consumer, job.jid, job.data(), cap
            )
        )

    async def revive(self, job: Job) -> bool:
        return bool(await self._run("revive", keys.dead(job.tid), job.tid, job.jid, job.data()))

    async def throttle(self, bot: int, retry_after: float) -> float:
        """A 429: see `Budget.throttle` (shared through Redis with the bots' replies)."""
        return await self.budget.throttle(bot, retry_after)

    async def trip(self, bot: int) -> float:
        """A transport failure of a send of `bot`: open (or re-open) its breaker; returns the
        seconds it stays open (0: it was open already)."""
        b = self._breaker
        res = await self._run(
            "break", keys.breaker(bot), bot, round(b.base * 1000), round(b.cap * 1000)
        )
        return int(res) / 1000.0

    async def unhold(self, bot: int) -> None:
        """A probe of `bot` was settled without a send (it expired): let the next one probe."""
        await self._run("unhold", keys.breaker(bot), bot)

    async def answered(self, bot: int) -> bool:
        """Telegram answered a send of `bot` (any answer but a transport failure): close its
        breaker; True if it was open."""
        return bool(await self._run("close", keys.breaker(bot), bot))

    async def release_all_but(self, held: set[str]) -> int:
        """Hand back our claims that no task of ours holds (their claim's answer was lost)."""
        moved = 0
        for jid in await self._r.hkeys(keys.inflight(self.consumer)):
            if jid not in held:
                moved += await self.release(jid)
        return moved

    async def lease(self, seconds: float) -> int:
        """Renew our lease; returns how many jobs of dead consumers went back to the lanes."""
        return int(await self._run("lease", keys.CONSUMERS, self.consumer, round(seconds * 1000)))

    async def reclaim(self) -> int:
        """Hand back what this consumer name had claimed (a previous life's, or on stop)."""
        return int(await self._run("reclaim", keys.inflight(self.consumer), self.consumer))

    async def leave(self) -> None:
        await self._r.zrem(keys.CONSUMERS, self.consumer)

    async def depth(self) -> Depth:
        return Depth(*(int(v) for v in await self._run("depth", keys.BOTS)))
