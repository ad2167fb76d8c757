"""The durable job queue: Python face of the Lua scripts (see delivery/scripts.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter

from redis.asyncio import Redis

from delivery import keys
from delivery.coalesce import GroupCommit
from delivery.policy import Limits
from delivery.scripts import PRELUDE, SCRIPTS


class Kind(StrEnum):
    CALL = "call"  # a missed-call notification to a subscriber
    SERVICE = "service"  # a text a handler queued through the Outbox
    ADMIN = "admin"  # a notice to a tenant's admin (new group, broken bot)
    EDIT = "edit"  # bring one chat's copies of a follow-up card up to date (delivery/edits.py)


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
        }
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, jid: str, h: dict[str, str]) -> Job:
        d = json.loads(h["d"])
        d["kind"] = Kind(d["kind"])
        return cls(jid=jid, bot=int(h["b"]), tid=h["t"], chat=int(h["c"]), **d)


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
    """Enqueue, claim under the limits, and settle jobs; every step is one script."""

    def __init__(self, redis: Redis, consumer: str, limits: Limits) -> None:
        self._r = redis
        self.consumer = consumer
        self._limits = limits.argv()
        self._scripts = {
            name: redis.register_script(PRELUDE + src) for name, src in SCRIPTS.items()
        }
        self._acks: GroupCommit[str] = GroupCommit(lambda jids: self.ack(*jids))

    async def _run(self, name: str, *args: object):
        return await self._scripts[name](keys=[], args=[keys.P, *args])

    async def enqueue(
        self, jobs: list[Job], entry_id: str = "", *, fanned_ttl: int = 86_400
    ) -> int:
        """Queue jobs and (when given) ack the intake entry, atomically and only once."""
        groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for job in jobs:
            groups.setdefault((job.tid, job.data()), []).append((job.bot, job.chat))
        return await self._fanout(groups, entry_id, fanned_ttl)

    async def enqueue_copies(
        self, copies: Copies | None, entry_id: str = "", *, fanned_ttl: int = 86_400
    ) -> int:
        """`enqueue` for one message to many chats: its data is encoded and sent once."""
        groups = {(copies.template.tid, copies.template.data()): copies.targets} if copies else {}
        return await self._fanout(groups, entry_id, fanned_ttl)

    async def _fanout(
        self, groups: dict[tuple[str, str], list[tuple[int, int]]], entry_id: str, ttl: int
    ) -> int:
        flat: list[object] = []
        n = 0
        for (tid, data), targets in groups.items():
            flat += [tid, data, len(targets)]
            # Stable: each lane keeps its order, and its copies go in with one RPUSH.
            for bot, chat in sorted(targets, key=itemgetter(0)):
                flat += [bot, chat]
            n += len(targets)
        return int(
            await self._run("fanout", keys.STREAM, keys.GROUP, entry_id, ttl, n, len(groups), *flat)
        )

    async def claim_many(self, most: int, budget: int = 64) -> tuple[list[Job], float | None]:
        """Up to `most` jobs we may send right now, claimed in one script, with their data;
        and seconds until more may be ready (0: look again now; None: nothing is queued)."""
        res = await self._run("claim", self.consumer, *self._limits, max(budget, 2 * most), most)
        jobs = [
            Job.load(res[i], {"b": res[i + 1], "t": res[i + 2], "c": res[i + 3], "d": res[i + 4]})
            for i in range(1, len(res), 5)
        ]
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
        return Job.load(jid, h) if h else None

    async def ack(self, *jids: str) -> None:
        """Forget sent jobs (one script for any number of them)."""
        if jids:
            await self._run("ack", self.consumer, *jids)

    async def ack_grouped(self, jid: str) -> None:
        """`ack(jid)`, sharing one script call with the acks of concurrent sends."""
        await self._acks(jid)

    async def requeue(self, job: Job, *, front: bool = True, delay: float = 0.0) -> bool:
        """Back into its (possibly new) lane: now at the head, or after `delay` seconds."""
        res = await self._run(
            "requeue",
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
        return bool(await self._run("release", self.consumer, jid))

    async def bury(self, job: Job, cap: int) -> bool:
        """Into the tenant's dead letters (kept: the newest `cap`)."""
        return bool(await self._run("bury", self.consumer, job.jid, job.data(), cap))

    async def revive(self, job: Job) -> bool:
        return bool(await self._run("revive", job.tid, job.jid, job.data()))

    async def pause_bot(self, bot: int, seconds: float) -> None:
        await self._r.set(keys.pause(bot), "1", px=max(1, round(seconds * 1000)))

    async def release_all_but(self, held: set[str]) -> int:
        """Hand back our claims that no task of ours holds (their claim's answer was lost)."""
        moved = 0
        for jid in await self._r.hkeys(keys.inflight(self.consumer)):
            if jid not in held:
                moved += await self.release(jid)
        return moved

    async def lease(self, seconds: float) -> int:
        """Renew our lease; returns how many jobs of dead consumers went back to the lanes."""
        return int(await self._run("lease", self.consumer, round(seconds * 1000)))

    async def reclaim(self) -> int:
        """Hand back what this consumer name had claimed (a previous life's, or on stop)."""
        return int(await self._run("reclaim", self.consumer))

    async def leave(self) -> None:
        await self._r.zrem(keys.CONSUMERS, self.consumer)

    async def depth(self) -> Depth:
        return Depth(*(int(v) for v in await self._run("depth")))
