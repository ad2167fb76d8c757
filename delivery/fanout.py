"""The intake streams' consumer: each entry becomes its messages, queued and acked atomically."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import time
from collections.abc import Callable
from typing import Protocol

from redis.exceptions import RedisError, ResponseError
from telegram import InlineKeyboardMarkup

from delivery import followup, keys, weekly
from delivery.cards import markup as card_markup
from delivery.cards import render as render_card
from delivery.offhours import OffHoursPolicy, mark_off_hours
from delivery.policy import Options
from delivery.queue import Copies, Job, JobQueue, Kind
from delivery.redact import redact
from delivery.routing import Router
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store, intake
from store.errors import NotFound
from store.events import CallEvent
from store.intake import Ready, drain_legacy
from store.models import DEFAULT_GROUP, Tenant

log = logging.getLogger(__name__)


class GroupNewMarkup(Protocol):
    """The admins' button under «new group» (bot.keyboards.admin.group_new_markup)."""

    def __call__(
        self, tenant_id: str, group_id: str, *, lang: str = ..., notify: bool = ...
    ) -> InlineKeyboardMarkup | None: ...


# How often a worker moves due escalations, reminders and expiries into the intake streams.
DUE_POLL_SECONDS = 1.0
# How often a busy worker reads the ready index again (an idle one reads it when woken).
INDEX_EVERY_SECONDS = 0.05


def _farewell_copies(entry: intake.FarewellEntry) -> Copies:
    """Every chat through the one bot the entry names (the sender never re-routes these)."""
    template = Job("", 0, entry.tenant, 0, Kind.FAREWELL, entry.text, None, at=entry.at)
    return Copies(template, [(entry.bot, chat) for chat in entry.chats])


class FanOut:
    """Reads the tenants' intake streams (found through the ready index, store/intake.py) in
    the consumer group; a crashed worker's entries are taken over."""

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        router: Router,
        catalogue: Catalogue,
        metrics: Metrics,
        options: Options,
        group_new_markup: GroupNewMarkup | None,
        kick: Callable[[], None],
    ) -> None:
        self._store = store
        self._r = store.redis
        self._intake = store.intake
        self._queue = queue
        self._router = router
        self._cat = catalogue
        self._metrics = metrics
        self._opt = options
        self._markup = group_new_markup
        self._kick = kick
        self._hours = OffHoursPolicy(store)
        self._due = followup.DueSteps(store, catalogue, self._copies_to)
        self._woken = asyncio.Event()
        # Streams whose pending entries of this consumer name (a previous life's) were read.
        self._own_read: set[str] = set()
        # Jobs were queued this turn and the other workers are not told yet.
        self._unannounced = False
        # Checked on every turn: redis-py can swallow a cancel that lands inside a command.
        self.stopping = False

    def wake(self) -> None:
        """An intake append was announced: look at the ready index now."""
        self._woken.set()

    async def ensure_group(self) -> None:
        """At start: move what an upgrade left in the old single stream, and re-mark every
        tenant whose stream holds entries (a crash may have lost their mark)."""
        await self._sweep()

    async def _sweep(self) -> None:
        # The old stream again at every sweep: during a rolling upgrade an ingest of the older
        # version may still write there after this worker started.
        moved = await drain_legacy(self._r, self._intake)
        if moved:
            log.warning("moved %d entries of the old intake stream to the tenants' streams", moved)
        await self._intake.sweep()

    async def ensure_stream(self, tid: str) -> bool:
        """Our consumer group on the tenant's stream, from its first entry; False when there
        is no stream (a deleted tenant's: not created again)."""
        try:
            await self._r.xgroup_create(keys.intake(tid), keys.GROUP, id="0")
        except ResponseError as exc:
            if "BUSYGROUP" in str(exc):
                return True
            if "requires the key to exist" in str(exc) or "no such key" in str(exc).lower():
                return False
            raise
        return True

    async def run(self) -> None:
        """Turn after turn until `stopping`: read the next tenants' streams (and, now and then
        or when woken, the ready index) in one pipeline; idle, wait for a wake-up."""
        current: list[Ready] = []
        last_due = last_sweep = time.monotonic()
        last_index = float("-inf")
        while not self.stopping:
            try:
                refresh = (
                    not current
                    or self._woken.is_set()
                    or time.monotonic() - last_index >= INDEX_EVERY_SECONDS
                )
                if refresh:
                    self._woken.clear()
                    last_index = time.monotonic()
                current = await self._turn(current, refresh)
                if time.monotonic() - last_due >= DUE_POLL_SECONDS:
                    last_due = time.monotonic()
                    # Due follow-up steps become intake entries (read on a next turn).
                    await self._store.followups.take_due()
                if time.monotonic() - last_sweep >= self._opt.stale_intake_ms / 1000:
                    last_sweep = time.monotonic()
                    await self._sweep()
                if not current and not self.stopping:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._opt.intake_block_ms / 1000):
                            await self._woken.wait()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("intake: Redis unavailable (%s); retrying", redact(str(exc)))
                await asyncio.sleep(0.5)
                current = []
                # Entries we had read but not finished are ours: read them again.
                self._own_read.clear()

    async def _turn(self, current: list[Ready], refresh: bool) -> list[Ready]:
        """One turn over the next tenants: `intake_share` new entries of each of up to
        `intake_tenants` tenants, read in one pipeline and fanned out side by side, each
        tenant's in order (a fan-out costs far more than a read, so taking a few entries at a
        time lets every worker take its share of a burst); returns the tenants to read next,
        round-robin, merged with the index when it was read."""
        batch = current[: max(1, self._opt.intake_tenants)]
        consumer = self._queue.consumer
        async with self._r.pipeline(transaction=False) as pipe:
            for ready in batch:
                stream = keys.intake(ready.tenant)
                own = stream not in self._own_read
                pipe.xreadgroup(
                    keys.GROUP,
                    consumer,
                    {stream: "0" if own else ">"},
                    count=self._opt.intake_batch if own else max(1, self._opt.intake_share),
                )
                pipe.xlen(stream)
            index = self._intake.ready_into(pipe) if refresh else None
            replies = await pipe.execute(raise_on_error=False)
        # Side by side: a fan-out mostly waits for Redis (~20 round trips), and one at a time a
        # worker's wall time per call, not its CPU, was the limit (docs/delivery.md).
        done = await asyncio.gather(
            *(
                self._tenant_turn(ready, replies[2 * n], replies[2 * n + 1])
                for n, ready in enumerate(batch)
            ),
            return_exceptions=True,
        )
        await self._announce()
        for result in done:
            if isinstance(result, BaseException):
                raise result
        if self.stopping:
            return []  # unfinished entries stay pending: ours (or a taker's) later
        busy = [ready for ready, more in zip(batch, done, strict=True) if more]
        # Round-robin: the tenants just read go to the back.
        rest = [*current[len(batch) :], *busy]
        if index is None:
            return rest
        # The index was read before this turn settled its drained tenants: those stay out (a
        # mark after the settle wakes us, and the next read of the index has it).
        kept = {r.tenant for r in busy}
        settled = {r.tenant for r in batch} - kept
        fresh = {r.tenant: r for r in index(replies[2 * len(batch) :]) if r.tenant not in settled}
        # A tenant the index no longer holds was settled (by us or another worker), unless this
        # turn found it busy.
        merged = [fresh.pop(r.tenant, r) for r in rest if r.tenant in fresh or r.tenant in kept]
        return [*merged, *fresh.values()]

    async def _announce(self) -> None:
        """Wake the other workers' dispatchers for what this turn queued: once per turn, not
        once per entry (a turn that failed leaves the flag set for the next one)."""
        if self._unannounced:
            self._unannounced = False
            await self._r.publish(keys.WAKE, "1")

    async def _tenant_turn(self, ready: Ready, read: object, length: object) -> bool:
        """Fan out what one tenant's read gave; True when more may wait (read it again)."""
        stream = keys.intake(ready.tenant)
        if isinstance(read, ResponseError) and "NOGROUP" in str(read):
            if await self.ensure_stream(ready.tenant):
                return True
            await self._intake.settle(ready)
            return False
        for reply in (read, length):
            if isinstance(reply, Exception):
                raise reply
        entries = read[0][1] if read else []  # type: ignore[index]
        was_own = stream not in self._own_read
        if was_own and len(entries) < self._opt.intake_batch:
            self._own_read.add(stream)  # all of ours read: new entries from now on
        if not entries and length:
            # Nothing new, yet entries are pending: a dead consumer's (or a failed one of
            # ours) once idle long enough. The sweep sends a worker here again later.
            entries = await self._take_over(stream)
        for entry_id, fields in entries:
            if self.stopping:
                return False
            await self.handle(stream, entry_id, fields or {}, announce=False)
        # The stream held just what this read took (nothing new, nobody's pending): settle
        # now, as the empty read of a next turn would, a turn and its round trip earlier.
        if entries and not was_own and length == len(entries):
            return await self._settle(stream, ready)
        return bool(entries) or was_own or await self._settle(stream, ready)

    async def _settle(self, stream: str, ready: Ready) -> bool:
        """Out of the index, then one more read: an append between our empty read and the
        removal is found now, or marks the tenant again after it. True when one was found."""
        async with self._r.pipeline(transaction=False) as pipe:
            if not self._intake.settle_into(pipe, ready):
                await self._intake.settle(ready)
            pipe.xreadgroup(keys.GROUP, self._queue.consumer, {stream: ">"}, count=1)
            *_, got = await pipe.execute()
        late = got[0][1] if got else []
        for entry_id, fields in late:
            await self.handle(stream, entry_id, fields or {}, announce=False)
        return bool(late)

    async def _take_over(self, stream: str) -> list:
        _, entries, *_ = await self._r.xautoclaim(
            stream,
            keys.GROUP,
            self._queue.consumer,
            min_idle_time=self._opt.stale_intake_ms,
            start_id="0-0",
            count=self._opt.intake_batch,
        )
        return entries

    async def handle(
        self, stream: str, entry_id: str, fields: dict[str, str], *, announce: bool = True
    ) -> int:
        """Queue the entry's messages (possibly none) and ack it; returns how many. Without
        `announce` the other workers are told by the turn, once for all its entries.

        An entry is dropped only when nothing is left to say (its tenant or call is gone); a
        malformed one is acked into the dead intake record; any other failure (a bug, a secret
        that does not decrypt) leaves it pending, to be taken over again after
        `stale_intake_ms`, and after `intake_attempts` tries it too goes to the dead record."""
        try:
            copies = await self._copies(intake.decode(fields))
        except NotFound:
            copies = None  # the tenant, group or call is gone: nothing to say
        except (RedisError, OSError):
            raise
        except intake.Malformed as exc:
            log.error("intake entry %s is malformed (%s); dead-lettered", entry_id, exc)
            await self._dead(stream, entry_id, fields, f"malformed: {exc}", 1)
            return 0
        except Exception as exc:
            await self._failed(stream, entry_id, fields, exc)
            return 0
        count = await self._queue.enqueue_copies(
            copies, entry_id, stream=stream, fanned_ttl=self._opt.fanned_ttl
        )
        if count:
            self._metrics.inc("messages_queued_total", by=count)
            self._kick()
            if announce:
                await self._r.publish(keys.WAKE, "1")
            else:
                self._unannounced = True
        return count

    async def _failed(
        self, stream: str, entry_id: str, fields: dict[str, str], exc: Exception
    ) -> None:
        tries_key = keys.intake_tries(stream, entry_id)
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.incr(tries_key)
            pipe.expire(tries_key, self._opt.fanned_ttl)
            tries, _ = await pipe.execute()
        error = redact(f"{type(exc).__name__}: {exc}")
        if tries < self._opt.intake_attempts:
            log.error(
                "intake entry %s could not be fanned out (try %d of %d): %s; left pending",
                entry_id, tries, self._opt.intake_attempts, error, exc_info=exc,
            )  # fmt: skip
            return
        log.error("intake entry %s failed %d times: %s; dead-lettered", entry_id, tries, error)
        await self._dead(stream, entry_id, fields, error, tries)

    async def _dead(
        self, stream: str, entry_id: str, fields: dict[str, str], error: str, tries: int
    ) -> None:
        """Keep the entry where an operator sees it (a gauge counts them), then ack it."""
        record = {
            "id": entry_id,
            "stream": stream,
            "fields": {k: redact(v) for k, v in fields.items()},
            "error": error[:500],
            "tries": tries,
            "at": time.time(),
        }
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.lpush(keys.DEAD_INTAKE, json.dumps(record, ensure_ascii=False))
            pipe.ltrim(keys.DEAD_INTAKE, 0, self._opt.dead_intake_cap - 1)
            await pipe.execute()
        await self._r.delete(keys.intake_tries(stream, entry_id))
        await self._queue.enqueue_copies(
            None, entry_id, stream=stream, fanned_ttl=self._opt.fanned_ttl
        )
        self._metrics.inc("messages_dead_lettered_total", {"reason": "intake"})

    async def _copies(self, entry: intake.Entry) -> Copies | list[Copies] | None:
        tid = entry.tenant
        match entry:
            case intake.CallEntry(call_id=call_id):
                return await self._call_copies(tid, call_id)
            case intake.CardEntry(card=card):
                return await followup.edit_copies(self._store, tid, card)
            case intake.CardDueEntry(card=card, step=step):
                return await self._due.copies(tid, card, step)
            case intake.FarewellEntry():
                return _farewell_copies(entry)
            case intake.FileEntry():
                await self._store.tenants.get(tid)
                return await self._file_copies(entry)
            case intake.WeeklyEntry(until=until):  # the weekly report (delivery/weekly.py)
                await self._store.tenants.get(tid)
                return await weekly.weekly_copies(
                    self._store, self._cat, tid, until, self._copies_to
                )
            case intake.GroupNewEntry(group=group):
                return await self._group_new_copies(await self._store.tenants.get(tid), group)
            case intake.ServiceEntry():
                await self._store.tenants.get(tid)
                return await self._to(
                    tid, [entry.chat], Kind.SERVICE, entry.text, entry.markup, entry.at
                )
            case intake.FollowersEntry():
                await self._store.tenants.get(tid)
                chats = await self._followers(tid, entry.group)
                return await self._to(tid, chats, Kind.SERVICE, entry.text, entry.markup, entry.at)
            case intake.AdminsEntry():
                await self._store.tenants.get(tid)
                admins = await self._store.admins.of_tenant(tid)
                return await self._to(tid, admins, Kind.ADMIN, entry.text, entry.markup, entry.at)
        raise intake.Malformed(f"no fan-out for {type(entry).__name__}")

    async def _file_copies(self, entry: intake.FileEntry) -> Copies:
        """A photo or document (delivery/files.py) to one chat, or to every admin."""
        tid = entry.tenant
        chats = [entry.chat] if entry.chat is not None else await self._store.admins.of_tenant(tid)
        job = Job("", 0, tid, 0, Kind.FILE, entry.text, entry.markup, at=entry.at,
                  media=entry.media, file=entry.file, filename=entry.filename)  # fmt: skip
        return await self._copies_to(job, chats)

    async def _to(
        self, tid: str, chats: list[int], kind: Kind, text: str, markup: dict | None, at: float
    ) -> Copies:
        return await self._copies_to(Job("", 0, tid, 0, kind, text, markup, at=at), chats)

    async def _copies_to(self, template: Job, chats: list[int]) -> Copies:
        routes = await self._router.choose_many(template.tid, chats)
        return Copies(template, [(routes[c].bot.tg_id, c) for c in chats])

    def _group_name(self, tenant: Tenant, gid: str, name: str) -> str:
        if name:
            return name
        if gid == DEFAULT_GROUP:
            return self._cat.t(tenant.lang, "group.default_name")
        return gid

    async def _call_copies(self, tid: str, call_id: str) -> Copies | list[Copies] | None:
        rec = await self._store.calls.get(tid, call_id)
        if rec is None:
            return None
        tenant = await self._store.tenants.get(tid)
        group = await self._store.groups.get(tid, rec.group_id)
        if not group.notify:
            return None  # switched off after the call was accepted
        event = CallEvent.model_validate_json(rec.payload)
        # The follow-up card: a new one is sent with its buttons; a repeat call of a caller
        # whose card is still open edits that card instead.
        opened = await followup.open_card(self._store, tenant, event, rec)
        if not opened.new:
            return await followup.edit_copies(self._store, tid, opened.card.id)
        text = await render_card(
            self._store, self._cat, tenant, opened.card, call=(rec, event), group=group
        )
        chats = await self._followers(tid, group.id)
        # Working hours (perezvon/hours.py): hold for the digest, or mark and maybe silence.
        plan = await self._hours.plan(tenant, group.id, rec.recorded_at, chats)
        if plan.hold_until is not None:
            await self._store.held.hold(tid, call_id, plan.hold_until)
            return None
        if plan.off_hours:
            text = mark_off_hours(self._cat, tenant.lang, text)
        markup = card_markup(self._cat, tenant, opened.card, 0)

        def card_job() -> Job:
            return Job(
                "", 0, tid, 0, Kind.CALL, text, markup, at=rec.recorded_at, call=opened.card.id
            )

        out = []
        for silent in (False, True):
            some = [c for c in chats if (c in plan.silent) is silent]
            if some:
                job = card_job()
                job.silent = silent
                out.append(await self._copies_to(job, some))
        # A group bound to a forum supergroup: one more copy, into its topic there.
        forum = await self._store.topics.binding(tid, group.id)
        if forum is not None:
            job = card_job()
            job.silent, job.topic, job.thread = plan.all_silent, group.id, forum.thread or 0
            out.append(await self._copies_to(job, [forum.chat_id]))
        return out

    async def _followers(self, tid: str, gid: str) -> list[int]:
        """Chats with an active subscription that follows the group (filtered in Redis)."""
        return await self._store.subs.followers(tid, gid)

    async def _group_new_copies(self, tenant: Tenant, gid: str) -> Copies:
        try:
            group = await self._store.groups.get(tenant.id, gid)
            name, notify = self._group_name(tenant, gid, group.name), group.notify
        except NotFound:
            name, notify = gid, False
        # The tenant's policy may have switched the new group on: say which, offer the other.
        key = "delivery.group_new_on" if notify else "delivery.group_new"
        text = self._cat.t(tenant.lang, key, group=html.escape(name, quote=False))
        markup = (
            self._markup(tenant.id, gid, lang=tenant.lang, notify=notify)
            if self._markup is not None
            else None
        )
        admins = await self._store.admins.of_tenant(tenant.id)
        return await self._to(
            tenant.id, admins, Kind.ADMIN, text, markup.to_dict() if markup else None, 0.0
        )
