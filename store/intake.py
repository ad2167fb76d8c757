"""The intake protocol: typed entries, one stream per tenant, and the sharded ready index.

Every accepted unit of work (a missed call, a new group to announce, a card to refresh, a text
a handler queued) is one entry in its tenant's stream `pz:{t<id>}:intake`, appended in the same
MULTI as the tenant's record it belongs to: both keys share the tenant's hash slot, so
"accepted" stays one atomic step on a Redis Cluster too.

Workers find the tenants with work through the ready index: `SHARDS` sorted sets
`pz:{ix<n>}:intake_ready` (each its own slot), member = tenant id, score = when it was first
marked since it was last removed (a worker reads the oldest first, so a tenant that keeps
getting entries is never pushed out of the page read by quieter ones). The order makes it safe
against interruption and races:

1. the tenant's MULTI appends the entry (durable: the caller may say "accepted");
2. then the tenant is marked in its shard (`mark`);
3. a worker whose read of the stream found nothing new removes the tenant (`settle`), then reads
   the stream once more: an append it had not seen is either found by that read, or its mark
   comes after the removal and puts the tenant back. (No version compare: a member removed and
   marked again would restart its count, and a stale version could then match.)

A crash between 1 and 2 leaves an entry that no index points at; `Sweep` re-marks every tenant
whose stream holds entries (new, or pending with a consumer that died), so nothing is lost,
only late by at most one sweep period.
"""

from __future__ import annotations

import json
import logging
import random
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import RedisCluster

from store import keys

log = logging.getLogger(__name__)

# How many ready-index shards: enough to spread the index over a cluster's masters.
SHARDS = 16
# The consumer group every delivery worker joins on every tenant's stream.
GROUP = "delivery"
# Published after each mark: idle workers wake at once instead of at their next poll.
WAKE = f"{keys.PREFIX}:intake:wake"


class Malformed(ValueError):
    """An intake entry no version of this code can turn into messages."""


def _need(f: Mapping[str, str], name: str) -> str:
    if not f.get(name):
        raise Malformed(f"{f.get('kind')} entry without {name}")
    return f[name]


def _markup(raw: str) -> dict | None:
    try:
        markup = json.loads(raw) if raw else None
    except ValueError as exc:
        raise Malformed(f"markup is not JSON: {exc}") from exc
    if markup is not None and not isinstance(markup, dict):
        raise Malformed("markup is not an object")
    return markup


def _markup_text(markup: Mapping[str, Any] | None) -> str:
    if markup is None:
        return ""
    return json.dumps(dict(markup), ensure_ascii=False, separators=(",", ":"))


def _float(f: Mapping[str, str], name: str) -> float:
    try:
        return float(f.get(name) or 0)
    except ValueError as exc:
        raise Malformed(f"{name} is not a number") from exc


@dataclass(frozen=True, slots=True)
class CallEntry:
    """A missed call was recorded: send its card to the group's followers."""

    KIND: ClassVar[str] = "call"
    tenant: str
    call_id: str

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "call_id": self.call_id}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> CallEntry:
        return cls(f["tenant"], _need(f, "call_id"))


@dataclass(frozen=True, slots=True)
class GroupNewEntry:
    """The PBX named a group first: tell the tenant's admins."""

    KIND: ClassVar[str] = "group_new"
    tenant: str
    group: str

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "group": self.group}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> GroupNewEntry:
        return cls(f["tenant"], _need(f, "group"))


@dataclass(frozen=True, slots=True)
class CardEntry:
    """A follow-up card changed: bring every copy of it up to date."""

    KIND: ClassVar[str] = "card"
    tenant: str
    card: str

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "card": self.card}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> CardEntry:
        return cls(f["tenant"], _need(f, "card"))


@dataclass(frozen=True, slots=True)
class CardDueEntry:
    """A card's escalation, reminder or expiry is due."""

    KIND: ClassVar[str] = "card_due"
    tenant: str
    card: str
    step: str

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "card": self.card, "step": self.step}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> CardDueEntry:
        return cls(f["tenant"], _need(f, "card"), _need(f, "step"))


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """A rendered text (HTML) to one chat of the tenant."""

    KIND: ClassVar[str] = "service"
    tenant: str
    chat: int
    text: str
    markup: dict | None = None
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "chat": str(self.chat),
            "text": self.text,
            "markup": _markup_text(self.markup),
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> ServiceEntry:
        try:
            chat = int(_need(f, "chat"))
        except ValueError as exc:
            raise Malformed("service entry: chat is not a number") from exc
        return cls(
            f["tenant"], chat, _need(f, "text"), _markup(f.get("markup", "")), _float(f, "at")
        )


@dataclass(frozen=True, slots=True)
class AdminsEntry:
    """A rendered text to every admin the tenant has when the entry is processed."""

    KIND: ClassVar[str] = "admins"
    tenant: str
    text: str
    markup: dict | None = None
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "text": self.text,
            "markup": _markup_text(self.markup),
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> AdminsEntry:
        return cls(f["tenant"], _need(f, "text"), _markup(f.get("markup", "")), _float(f, "at"))


@dataclass(frozen=True, slots=True)
class FollowersEntry:
    """A rendered text to every active follower of a group, as they are when processed."""

    KIND: ClassVar[str] = "followers"
    tenant: str
    group: str
    text: str
    markup: dict | None = None
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "group": self.group,
            "text": self.text,
            "markup": _markup_text(self.markup),
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> FollowersEntry:
        return cls(
            f["tenant"],
            _need(f, "group"),
            _need(f, "text"),
            _markup(f.get("markup", "")),
            _float(f, "at"),
        )


@dataclass(frozen=True, slots=True)
class FarewellEntry:
    """A text to listed chats through one named bot that is being switched off or deleted:
    only it can reach the chats that never started another bot, so it is never re-routed."""

    KIND: ClassVar[str] = "farewell"
    tenant: str
    bot: int
    chats: tuple[int, ...]
    text: str
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "bot": str(self.bot),
            "chats": ",".join(str(c) for c in self.chats),
            "text": self.text,
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> FarewellEntry:
        try:
            bot = int(_need(f, "bot"))
            chats = tuple(int(c) for c in _need(f, "chats").split(","))
        except ValueError as exc:
            raise Malformed(f"farewell entry: {type(exc).__name__}") from exc
        return cls(f["tenant"], bot, chats, _need(f, "text"), _float(f, "at"))


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A photo or document kept under `file` (a tenant key with a TTL), to one chat or, with
    `chat` None, to every admin; `text` is its HTML caption."""

    KIND: ClassVar[str] = "file"
    tenant: str
    chat: int | None
    media: str
    file: str
    filename: str
    text: str = ""
    markup: dict | None = None
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "chat": "" if self.chat is None else str(self.chat),
            "media": self.media,
            "file": self.file,
            "filename": self.filename,
            "text": self.text,
            "markup": _markup_text(self.markup),
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> FileEntry:
        try:
            chat = int(f["chat"]) if f.get("chat") else None
        except ValueError as exc:
            raise Malformed("file entry: chat is not a number") from exc
        return cls(
            f["tenant"],
            chat,
            _need(f, "media"),
            _need(f, "file"),
            f.get("filename", ""),
            f.get("text", ""),
            _markup(f.get("markup", "")),
            _float(f, "at"),
        )


@dataclass(frozen=True, slots=True)
class WeeklyEntry:
    """The weekly report to the tenant's admins, for the week that ends at `until`."""

    KIND: ClassVar[str] = "weekly"
    tenant: str
    until: int

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "until": str(self.until)}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> WeeklyEntry:
        try:
            return cls(f["tenant"], int(float(_need(f, "until"))))
        except (ValueError, OverflowError) as exc:
            raise Malformed(f"weekly entry: until {f.get('until')!r}") from exc


Entry = (
    CallEntry
    | GroupNewEntry
    | CardEntry
    | CardDueEntry
    | ServiceEntry
    | AdminsEntry
    | FollowersEntry
    | FarewellEntry
    | FileEntry
    | WeeklyEntry
)
KINDS: dict[str, type[Entry]] = {
    c.KIND: c
    for c in (
        CallEntry,
        GroupNewEntry,
        CardEntry,
        CardDueEntry,
        ServiceEntry,
        AdminsEntry,
        FollowersEntry,
        FarewellEntry,
        FileEntry,
        WeeklyEntry,
    )
}


def decode(fields: Mapping[str, str]) -> Entry:
    """The typed entry of a stream entry's fields; Malformed when no kind fits."""
    kind = KINDS.get(fields.get("kind", ""))
    if kind is None or not fields.get("tenant"):
        raise Malformed(f"kind {fields.get('kind')!r}, tenant {fields.get('tenant')!r}")
    return kind.decode(fields)


def append(entry: Entry, pipe: Pipeline) -> None:
    """Queue the entry's XADD in `pipe` (a MULTI over the tenant's slot); `mark` follows."""
    pipe.xadd(keys.intake(entry.tenant), entry.encode())


# A CallEntry's encoding is kind, tenant, call_id: 6 strings as field/value pairs, the call id
# last (a script that records calls reads it there).
CALL_FIELDS = 6


def fields_argv(entry: Entry) -> list[str]:
    """The entry's fields as XADD's field/value arguments, for a script that appends it."""
    return [x for pair in entry.encode().items() for x in pair]


def shard(tid: str) -> int:
    return zlib.crc32(tid.encode()) % SHARDS


@dataclass(frozen=True, slots=True)
class Ready:
    """A tenant the ready index names: it may have intake."""

    tenant: str


class IntakeIndex:
    """The ready index over every tenant's stream (see the module docstring for the order)."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis
        self._cluster = isinstance(redis, RedisCluster)

    async def add(self, entries: Iterable[Entry]) -> list[str]:
        """Append entries outside any transaction (each tenant's in one MULTI), then mark."""
        by_tenant: dict[str, list[Entry]] = {}
        for entry in entries:
            by_tenant.setdefault(entry.tenant, []).append(entry)
        ids: list[str] = []
        for some in by_tenant.values():
            async with self._r.pipeline(transaction=True) as pipe:
                for entry in some:
                    append(entry, pipe)
                ids += await pipe.execute()
        await self.mark(by_tenant)
        return ids

    async def mark(self, tids: Iterable[str]) -> None:
        """Step 2: the tenants' streams got entries (one round trip, whatever the count)."""
        tids = list(dict.fromkeys(tids))
        if not tids:
            return
        now = round(time.time() * 1000)
        async with self._r.pipeline(transaction=False) as pipe:
            for tid in tids:
                # NX: a tenant already marked keeps its place (oldest first).
                pipe.zadd(keys.intake_ready(shard(tid)), {tid: now}, nx=True)
            if not self._cluster:
                pipe.publish(WAKE, "1")
            await pipe.execute()
        if self._cluster:
            # A cluster pipeline refuses PUBLISH (it has no key to route by): a command of its
            # own, which the cluster bus carries to every node's subscribers.
            await self._r.publish(WAKE, "1")

    async def ready(self, per_shard: int = 64) -> list[Ready]:
        """Tenants the index says may have intake, shuffled."""
        async with self._r.pipeline(transaction=False) as pipe:
            parse = self.ready_into(pipe, per_shard)
            return parse(await pipe.execute())

    @staticmethod
    def ready_into(
        pipe: Pipeline, per_shard: int = 64
    ) -> Callable[[Sequence[object]], list[Ready]]:
        """Queue the index read in a pipeline of other reads; parse its replies with the
        function returned (they are the last `SHARDS` replies of the pipeline)."""
        for n in range(SHARDS):
            pipe.zrange(keys.intake_ready(n), 0, per_shard - 1)

        def parse(replies: Sequence[object]) -> list[Ready]:
            found: list[Ready] = []
            for row in replies[-SHARDS:]:
                if isinstance(row, Exception):
                    raise row
                found += [Ready(tid) for tid in row]  # type: ignore[union-attr]
            random.shuffle(found)  # workers start at different tenants
            return found

        return parse

    async def settle(self, ready: Ready) -> None:
        """Step 3: drop the tenant from the index; the caller then reads its stream once more."""
        await self._r.zrem(keys.intake_ready(shard(ready.tenant)), ready.tenant)

    async def backlog(self) -> int:
        """Entries not yet fanned out, in the streams of the tenants the index holds."""
        tids = [r.tenant for r in await self.ready(per_shard=10_000)]
        if not tids:
            return 0
        async with self._r.pipeline(transaction=False) as pipe:
            for tid in tids:
                pipe.xlen(keys.intake(tid))
            return sum(await pipe.execute())

    async def sweep(self, page: int = 500) -> int:
        """Re-mark every tenant whose stream still holds entries; returns how many.

        Entries are deleted once fanned out, so a non-empty stream is work: new entries whose
        mark a crash lost, or pending ones of a consumer that died (taken over by XAUTOCLAIM
        once the index sends a worker there)."""
        found: list[str] = []
        offset = 0
        while True:
            tids = await self._r.zrange(keys.TENANTS, offset, offset + page - 1)
            if not tids:
                break
            async with self._r.pipeline(transaction=False) as pipe:
                for tid in tids:
                    pipe.xlen(keys.intake(tid))
                lengths = await pipe.execute()
            found += [tid for tid, n in zip(tids, lengths, strict=True) if n]
            if len(tids) < page:
                break
            offset += page
        await self.mark(found)
        return len(found)


_DELETE_IF_EMPTY = """
if redis.call('XLEN', KEYS[1]) == 0 then return redis.call('DEL', KEYS[1]) end
return 0
"""


async def drain_legacy(redis: Redis, index: IntakeIndex, batch: int = 200) -> int:
    """Move what an upgrade left in the old single stream into the tenants' streams, once.

    Each entry is copied (as it was: a malformed one still reaches the dead intake record),
    then deleted; a crash in between copies it again, and fan-out's per-entry marker does not
    see the copy as the same entry, so such an entry may be delivered twice (never lost). A
    lock keeps two workers from copying the same entries; the stream is deleted only once
    empty, and every sweep looks again (a rolling upgrade's older ingest may still append)."""
    if not await redis.exists(keys.LEGACY_INTAKE):
        return 0
    if not await redis.set(keys.LEGACY_INTAKE_LOCK, "1", nx=True, ex=300):
        return 0
    moved = 0
    try:
        while rows := await redis.xrange(keys.LEGACY_INTAKE, "-", "+", count=batch):
            tids: list[str] = []
            for entry_id, fields in rows:
                tid = (fields or {}).get("tenant")
                if tid:
                    await redis.xadd(keys.intake(tid), fields)
                    tids.append(tid)
                    moved += 1
                else:  # no tenant: no stream to move it to, and nobody to deliver it to
                    kind = (fields or {}).get("kind")
                    log.warning("old intake entry %s (%s) has no tenant; dropped", entry_id, kind)
                await redis.xdel(keys.LEGACY_INTAKE, entry_id)
            await index.mark(tids)
        # Only if still empty: an older ingest may have appended since the last read.
        await redis.eval(_DELETE_IF_EMPTY, 1, keys.LEGACY_INTAKE)
    finally:
        await redis.delete(keys.LEGACY_INTAKE_LOCK)
    return moved
