"""The silent-PBX watch: a tenant whose PBX sent nothing for longer than its `silence_alert`
(counting working hours only), and an AMI link down for over a minute, raise one alarm to the
tenant's admins, and one «back» message when events flow again.

Every worker looks every `every` seconds; one at a time (a lock). The alarm is queued before
its flag is set: a crash in between repeats it rather than loses it (as delivery/notices.py).
"""

from __future__ import annotations

import contextlib
import html
import logging
import time
from collections.abc import Callable

from redis.exceptions import RedisError

from delivery.outbox import Outbox
from delivery.render import _zone, duration
from delivery.ticker import run_ticks
from perezvon.hours import open_seconds
from perezvon.texts import Catalogue
from store import Store
from store.errors import NotFound
from store.models import Tenant

log = logging.getLogger(__name__)

AMI_DOWN_AFTER = 60.0  # seconds a link may be down before its admins hear of it
LOCK_SECONDS = 20.0


class SilenceWatch:
    """`await watch.tick()` raises and clears alarms; `run()` does so every `every` seconds."""

    def __init__(
        self,
        store: Store,
        catalogue: Catalogue,
        clock: Callable[[], float] = time.time,
        every: float = 15.0,
    ) -> None:
        self._store = store
        self._cat = catalogue
        self._outbox = Outbox(store, clock)
        self.clock = clock  # public: a test moves it
        self._every = every
        self.stopping = False

    async def run(self) -> None:
        await run_ticks("silence watch", self.tick, self._every, lambda: self.stopping, log)

    async def tick(self) -> int:
        """Alarms raised or cleared this time (messages queued)."""
        if not await self._store.heartbeats.lock(LOCK_SECONDS):
            return 0
        try:
            now = self.clock()
            raised = await self._store.heartbeats.alarms()
            return await self._tenants(now, raised) + await self._links(now, raised)
        finally:
            with contextlib.suppress(RedisError, OSError):
                await self._store.heartbeats.unlock()

    async def silent_for(self, tenant: Tenant, last: float, now: float) -> tuple[float, int]:
        """(seconds of silence that count, the tenant's threshold; 0 = not watched)."""
        setting = await self._store.schedules.tenant(tenant.id)
        schedule = setting.schedule()
        if schedule is None:
            return now - last, setting.silence_alert
        return open_seconds(schedule, last, now, _zone(tenant.tz).key), setting.silence_alert

    async def _tenants(self, now: float, raised: dict[str, float]) -> int:
        hb = self._store.heartbeats
        changed = 0
        for tid, last in (await hb.last_events()).items():
            try:
                tenant = await self._store.tenants.get(tid)
            except NotFound:
                await hb.forget(tid=tid)
                continue
            silent, limit = await self.silent_for(tenant, last, now)
            if tid in raised:
                if last > raised[tid] or not limit:
                    if limit:
                        await self._tell(tenant, "hours.silent.back")
                        changed += 1
                    await hb.clear_alarm(tid)
            elif limit and silent > limit:
                text_args = {"duration": duration(self._cat, tenant.lang, now - last)}
                await self._tell(tenant, "hours.silent.alarm", **text_args)
                await hb.raise_alarm(tid, last)
                changed += 1
        return changed

    async def _links(self, now: float, raised: dict[str, float]) -> int:
        hb = self._store.heartbeats
        seen = await hb.link_seen()
        links = {link.id: link for link in await self._store.ami.list()}
        for gone in set(seen) - set(links):
            await hb.forget(link=gone)
        changed = 0
        for aid, link in links.items():
            if aid not in seen:
                continue  # no AMI part has looked at it yet
            name, down = f"ami:{aid}", now - seen[aid] > AMI_DOWN_AFTER
            try:
                tenant = await self._store.tenants.get(link.tenant_id)
            except NotFound:
                continue
            host = html.escape(f"{link.host}:{link.port}")
            if down and name not in raised:
                span = duration(self._cat, tenant.lang, now - seen[aid])
                await self._tell(tenant, "hours.ami.down", host=host, duration=span)
                await hb.raise_alarm(name, seen[aid])
                changed += 1
            elif not down and name in raised:
                await self._tell(tenant, "hours.ami.back", host=host)
                await hb.clear_alarm(name)
                changed += 1
        return changed

    async def _tell(self, tenant: Tenant, key: str, **values: object) -> None:
        company = html.escape(tenant.name, quote=False)
        await self._outbox.admins(
            tenant.id, self._cat.t(tenant.lang, key, company=company, **values)
        )

    async def gauges(self) -> dict[str, tuple[str, float]]:
        raised = await self._store.heartbeats.alarms()
        links = sum(1 for name in raised if name.startswith("ami:"))
        return {
            "pbx_silent_tenants": (
                "Tenants whose PBX is silent past its alert",
                len(raised) - links,
            ),
            "ami_links_down": ("AMI links down for over a minute", links),
        }
