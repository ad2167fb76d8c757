"""The intake stream's consumer: each entry becomes its messages, queued and acked atomically."""

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
from store import Store
from store.errors import NotFound
from store.events import CallEvent
from store.models import DEFAULT_GROUP, SubStatus, Tenant

log = logging.getLogger(__name__)


class GroupNewMarkup(Protocol):
    """The admins' button under «new group» (bot.keyboards.admin.group_new_markup)."""

    def __call__(
        self, tenant_id: str, group_id: str, *, lang: str = ..., notify: bool = ...
    ) -> InlineKeyboardMarkup | None: ...


PAGE = 500
# How often a worker moves due escalations, reminders and expiries into the intake stream.
DUE_POLL_SECONDS = 1.0
KINDS = frozenset(
    {"call", "group_new", "service", "admins", "followers", "card", "card_due", "file", "weekly"}
)


class Malformed(ValueError):
    """An intake entry no version of this code can turn into messages."""


def _field(f: dict[str, str], name: str) -> str:
    if not f.get(name):
        raise Malformed(f"{f.get('kind')} entry without {name}")
    return f[name]


class FanOut:
    """Reads `pz:intake` in the consumer group; a crashed worker's entries are taken over."""

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
        self._queue = queue
        self._router = router
        self._cat = catalogue
        self._metrics = metrics
        self._opt = options
        self._markup = group_new_markup
        self._kick = kick
        self._hours = OffHoursPolicy(store)
        self._due = followup.DueSteps(store, catalogue, self._copies_to)
        # Checked on every turn: redis-py can swallow a cancel that lands inside a command.
        self.stopping = False

    async def ensure_group(self) -> None:
        try:
            await self._r.xgroup_create(keys.STREAM, keys.GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self) -> None:
        """Our own pending entries first (a previous life's), then new ones; until `stopping`."""
        consumer = self._queue.consumer
        backlog = True
        last_take_over = last_due = time.monotonic()
        while not self.stopping:
            try:
                if backlog:
                    got = await self._r.xreadgroup(
                        keys.GROUP, consumer, {keys.STREAM: "0"}, count=self._opt.intake_batch
                    )
                    entries = got[0][1] if got else []
                    backlog = bool(entries)
                else:
                    got = await self._r.xreadgroup(
                        keys.GROUP,
                        consumer,
                        {keys.STREAM: ">"},
                        count=self._opt.intake_share,
                        block=self._opt.intake_block_ms,
                    )
                    entries = got[0][1] if got else []
                if time.monotonic() - last_take_over >= self._opt.stale_intake_ms / 3000:
                    last_take_over = time.monotonic()
                    entries = [*entries, *await self._take_over()]
                if time.monotonic() - last_due >= DUE_POLL_SECONDS:
                    last_due = time.monotonic()
                    # Due follow-up steps become intake entries (read on the next turn).
                    await self._store.followups.take_due()
                for entry_id, fields in entries:
                    if self.stopping:
                        break  # unfinished entries stay pending: ours (or a taker's) later
                    await self.handle(entry_id, fields or {})
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("intake: Redis unavailable (%s); retrying", redact(str(exc)))
                await asyncio.sleep(0.5)
                backlog = True  # entries we had read but not finished are ours: read them again
                if "NOGROUP" in str(exc):
                    with contextlib.suppress(RedisError, OSError):
                        await self.ensure_group()

    async def _take_over(self) -> list:
        _, entries, *_ = await self._r.xautoclaim(
            keys.STREAM,
            keys.GROUP,
            self._queue.consumer,
            min_idle_time=self._opt.stale_intake_ms,
            start_id="0-0",
            count=self._opt.intake_batch,
        )
        return entries

    async def handle(self, entry_id: str, fields: dict[str, str]) -> int:
        """Queue the entry's messages (possibly none) and ack it; returns how many.

        An entry is dropped only when nothing is left to say (its tenant or call is gone); a
        malformed one is acked into the dead intake record; any other failure (a bug, a secret
        that does not decrypt) leaves it pending, to be taken over again after
        `stale_intake_ms`, and after `intake_attempts` tries it too goes to the dead record."""
        try:
            copies = await self._copies(fields)
        except NotFound:
            copies = None  # the tenant, group or call is gone: nothing to say
        except (RedisError, OSError):
            raise
        except Malformed as exc:
            log.error("intake entry %s is malformed (%s); dead-lettered", entry_id, exc)
            await self._dead(entry_id, fields, f"malformed: {exc}", 1)
            return 0
        except Exception as exc:
            await self._failed(entry_id, fields, exc)
            return 0
        count = await self._queue.enqueue_copies(copies, entry_id, fanned_ttl=self._opt.fanned_ttl)
        if count:
            self._metrics.inc("messages_queued_total", by=count)
            self._kick()
            await self._r.publish(keys.WAKE, "1")
        return count

    async def _failed(self, entry_id: str, fields: dict[str, str], exc: Exception) -> None:
        tries_key = keys.intake_tries(entry_id)
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
        await self._dead(entry_id, fields, error, tries)

    async def _dead(self, entry_id: str, fields: dict[str, str], error: str, tries: int) -> None:
        """Keep the entry where an operator sees it (a gauge counts them), then ack it."""
        record = {
            "id": entry_id,
            "fields": {k: redact(v) for k, v in fields.items()},
            "error": error[:500],
            "tries": tries,
            "at": time.time(),
        }
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.lpush(keys.DEAD_INTAKE, json.dumps(record, ensure_ascii=False))
            pipe.ltrim(keys.DEAD_INTAKE, 0, self._opt.dead_intake_cap - 1)
            pipe.delete(keys.intake_tries(entry_id))
            await pipe.execute()
        await self._queue.enqueue_copies(None, entry_id, fanned_ttl=self._opt.fanned_ttl)
        self._metrics.inc("messages_dead_lettered_total", {"reason": "intake"})

    async def _copies(self, f: dict[str, str]) -> Copies | list[Copies] | None:
        kind, tid = f.get("kind"), f.get("tenant", "")
        if kind not in KINDS or not tid:
            raise Malformed(f"kind {kind!r}, tenant {tid!r}")
        if kind == "call":
            return await self._call_copies(tid, _field(f, "call_id"))
        if kind == "card":
            return await followup.edit_copies(self._store, tid, _field(f, "card"))
        if kind == "card_due":
            return await self._due.copies(tid, _field(f, "card"), _field(f, "step"))
        tenant = await self._store.tenants.get(tid)
        if kind == "group_new":
            return await self._group_new_copies(tenant, _field(f, "group"))
        if kind == "file":
            return await self._file_copies(tid, f)
        if kind == "weekly":  # the weekly report to the admins (delivery/weekly.py)
            until = _field(f, "until")
            return await weekly.weekly_copies(self._store, self._cat, tid, float(until),
                                              self._copies_to)  # fmt: skip
        try:
            markup = json.loads(f["markup"]) if f.get("markup") else None
            at = float(f.get("at") or 0)
            text = f["text"]
            chat = int(f["chat"]) if kind == "service" else 0
            group = f["group"] if kind == "followers" else ""
        except (KeyError, ValueError, TypeError) as exc:
            raise Malformed(f"{kind} entry: {type(exc).__name__}") from exc
        if kind == "service":
            return await self._to(tid, [chat], Kind.SERVICE, text, markup, at)
        if kind == "followers":
            return await self._to(
                tid, await self._followers(tid, group), Kind.SERVICE, text, markup, at
            )
        admins = await self._store.admins.of_tenant(tid)
        return await self._to(tid, admins, Kind.ADMIN, text, markup, at)

    async def _file_copies(self, tid: str, f: dict[str, str]) -> Copies:
        """A photo or document (delivery/files.py) to one chat, or to every admin."""
        try:
            markup = json.loads(f["markup"]) if f.get("markup") else None
            chats = [int(f["chat"])] if f.get("chat") else await self._store.admins.of_tenant(tid)
            job = Job("", 0, tid, 0, Kind.FILE, f.get("text", ""), markup,
                      at=float(f.get("at") or 0), media=_field(f, "media"),
                      file=_field(f, "file"), filename=f.get("filename", ""))  # fmt: skip
        except (KeyError, ValueError, TypeError) as exc:
            raise Malformed(f"file entry: {type(exc).__name__}") from exc
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
        text = await render_card(self._store, self._cat, tenant, opened.card)
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
        """Chats with an active subscription that follows the group, read a page at a time."""
        chats: list[int] = []
        offset = 0
        while True:
            page = await self._store.subs.list(tid, offset, PAGE)
            chats += [s.chat_id for s in page if s.status is SubStatus.ACTIVE and s.follows(gid)]
            if len(page) < PAGE:
                return chats
            offset += PAGE

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
