"""The morning digest: at a group's next opening, the calls held overnight become one message
per subscriber listing them; every worker looks, a per-tenant lock keeps it single.

State lives in Redis only (store/hours.py: the held calls with their due time, the tenants
by earliest due time), so a restart at night loses nothing. The digest is queued before the
calls are released: a crash in between sends it twice rather than never.
"""

from __future__ import annotations

import contextlib
import html
import logging
import time
from collections.abc import Callable
from datetime import datetime

from redis.exceptions import RedisError

from delivery.callerid import is_hidden
from delivery.offhours import OffHoursPolicy
from delivery.phone import format_number, region_of_zone
from delivery.queue import Job, JobQueue, Kind
from delivery.render import _zone, fit
from delivery.routing import Router
from delivery.ticker import run_ticks
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store
from store.errors import NotFound
from store.events import CallEvent
from store.models import DEFAULT_GROUP, RecordedCall, SubStatus, Tenant

log = logging.getLogger(__name__)

# Calls listed one per line in a digest; the rest are counted.
MAX_LINES = 40
LOCK_SECONDS = 60.0
PAGE = 500


class Digests:
    """`await digests.tick()` sends what is due now; `run()` does so every `every` seconds."""

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        router: Router,
        catalogue: Catalogue,
        metrics: Metrics,
        kick: Callable[[], None],
        clock: Callable[[], float] = time.time,
        every: float = 5.0,
    ) -> None:
        self._store = store
        self._queue = queue
        self._router = router
        self._cat = catalogue
        self._metrics = metrics
        self._kick = kick
        self.clock = clock  # public: a test moves it to the morning
        self._every = every
        self._quiet = OffHoursPolicy(store, lambda: self.clock())
        self.stopping = False

    async def run(self) -> None:
        await run_ticks("digests", self.tick, self._every, lambda: self.stopping, log)

    async def tick(self) -> int:
        """Digests for every tenant with held calls due now; returns how many were queued."""
        now = self.clock()
        sent = 0
        for tid in await self._store.held.due_tenants(now):
            if not await self._store.held.lock(tid, LOCK_SECONDS):
                continue  # another worker is on it
            try:
                sent += await self._tenant(tid, now)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await self._store.held.unlock(tid)
        return sent

    async def _tenant(self, tid: str, now: float) -> int:
        held = await self._store.held.due(tid, now)
        ids = [h.call_id for h in held]
        try:
            tenant = await self._store.tenants.get(tid)
        except NotFound:
            await self._store.held.release(tid, ids)
            return 0
        calls: list[tuple[RecordedCall, str]] = []
        for cid in ids:
            rec = await self._store.calls.get(tid, cid)
            if rec is None:
                continue
            try:
                group = await self._store.groups.get(tid, rec.group_id)
            except NotFound:
                continue
            if group.notify:
                calls.append((rec, self._group_name(tenant, group.id, group.name)))
        calls.sort(key=lambda c: c[0].recorded_at)
        per_chat = await self._per_chat(tid, calls)
        jobs = await self._jobs(tenant, per_chat) + await self._forum_jobs(tenant, calls)
        if jobs:
            await self._queue.enqueue(jobs)
            self._metrics.inc("messages_queued_total", by=len(jobs))
            self._kick()
        await self._store.held.release(tid, ids)
        return len(jobs)

    def _group_name(self, tenant: Tenant, gid: str, name: str) -> str:
        if name:
            return name
        return self._cat.t(tenant.lang, "group.default_name") if gid == DEFAULT_GROUP else gid

    async def _per_chat(
        self, tid: str, calls: list[tuple[RecordedCall, str]]
    ) -> dict[int, list[tuple[RecordedCall, str]]]:
        """Each active subscriber's share of the calls: those of the groups it follows now."""
        per_chat: dict[int, list[tuple[RecordedCall, str]]] = {}
        if not calls:
            return per_chat
        offset = 0
        while True:
            page = await self._store.subs.list(tid, offset, PAGE)
            for sub in page:
                if sub.status is not SubStatus.ACTIVE:
                    continue
                mine = [c for c in calls if sub.follows(c[0].group_id)]
                if mine:
                    per_chat[sub.chat_id] = mine
            if len(page) < PAGE:
                return per_chat
            offset += PAGE

    async def _jobs(
        self, tenant: Tenant, per_chat: dict[int, list[tuple[RecordedCall, str]]]
    ) -> list[Job]:
        if not per_chat:
            return []
        chats = list(per_chat)
        routes = await self._router.choose_many(tenant.id, chats)
        silent = await self._quiet.silent_chats(tenant, chats)
        jobs = []
        for chat in chats:
            text = self.text(tenant, per_chat[chat])
            job = Job("", routes[chat].bot.tg_id, tenant.id, chat, Kind.CALL, text)
            job.silent = chat in silent
            jobs.append(job)
        return jobs

    async def _forum_jobs(self, tenant: Tenant, calls: list[tuple[RecordedCall, str]]) -> list[Job]:
        """A group bound to a forum gets its own digest in its topic (delivery/topics.py)."""
        by_group: dict[str, list[tuple[RecordedCall, str]]] = {}
        for call in calls:
            by_group.setdefault(call[0].group_id, []).append(call)
        jobs = []
        for gid, mine in by_group.items():
            forum = await self._store.topics.binding(tenant.id, gid)
            if forum is None:
                continue
            [route] = (await self._router.choose_many(tenant.id, [forum.chat_id])).values()
            job = Job(
                "", route.bot.tg_id, tenant.id, forum.chat_id, Kind.CALL, self.text(tenant, mine)
            )
            job.topic, job.thread = gid, forum.thread or 0
            jobs.append(job)
        return jobs

    def text(self, tenant: Tenant, calls: list[tuple[RecordedCall, str]]) -> str:
        """One digest: a title with the count, then a line per call (time, caller, group)."""
        lang, zone = tenant.lang, _zone(tenant.tz)
        region = region_of_zone(tenant.tz)
        fmt = self._cat.t(lang, "hours.digest.time_format")
        lines = [self._cat.t(lang, "hours.digest.title", count=len(calls))]
        for rec, group in calls[:MAX_LINES]:
            event = CallEvent.model_validate_json(rec.payload)
            if is_hidden(event.caller):
                caller = self._cat.t(lang, "hours.digest.hidden")
            else:
                caller = html.escape(format_number(event.caller, region).shown, quote=False)
            started = event.started_at or datetime.fromtimestamp(rec.recorded_at, zone)
            lines.append(
                self._cat.t(
                    lang,
                    "hours.digest.line",
                    time=started.astimezone(zone).strftime(fmt),
                    caller=caller,
                    group=html.escape(group, quote=False),
                )
            )
        if len(calls) > MAX_LINES:
            lines.append(self._cat.t(lang, "hours.digest.more", count=len(calls) - MAX_LINES))
        return fit(lines)
