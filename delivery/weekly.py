"""The weekly report to a tenant's admins: Monday 09:00 in the tenant's zone (or the opening
of its working hours that Monday), the chart of the week with its figures as the caption.

Two halves, both on Redis only: `WeeklySchedule.tick()` (every worker, every `every` seconds)
turns due tenants of `pz:weekly_due` into "weekly" intake entries and schedules the next week
in the same script (store/weekly.py); the intake consumer turns an entry into a FILE job to
every admin (`weekly_copies`), like any other message. So a week is sent once with two
workers, and a restart over Monday morning sends it late rather than never."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from redis.exceptions import RedisError

from delivery.queue import Copies, Job, Kind
from delivery.render import fit
from delivery.ticker import run_ticks
from perezvon.report import OUTCOMES, figures, next_weekly, series, tenant_cards
from perezvon.report_text import figure_lines
from perezvon.texts import Catalogue
from store import Store
from store.errors import NotFound

log = logging.getLogger(__name__)

WEEK = 7 * 86_400
MAX_CAPTION = 1024
CopiesTo = Callable[[Job, list[int]], Awaitable[Copies]]


class WeeklySchedule:
    """`await schedule.tick()` queues the reports due now; `run()` does so every `every` s."""

    def __init__(
        self, store: Store, clock: Callable[[], float] = time.time, every: float = 30.0
    ) -> None:
        self._store = store
        self.clock = clock  # public: a test moves it to Monday morning
        self._every = every
        self.stopping = False

    async def run(self) -> None:
        await run_ticks("weekly reports", self.tick, self._every, lambda: self.stopping, log)

    async def tick(self) -> int:
        """How many reports this worker queued now."""
        now = self.clock()
        rows = []
        for tid, due in await self._store.weekly.due(now):
            try:
                tenant = await self._store.tenants.get(tid)
                hours = (await self._store.schedules.tenant(tid)).schedule()
                nxt = next_weekly(max(now, due), tenant.tz, hours)
            except NotFound:
                await self._store.weekly.switch_off(tid)  # the tenant is gone
                continue
            except (RedisError, OSError):
                raise
            except Exception:  # one tenant's bad data must not hold back everyone's report
                log.exception("weekly report of tenant %s: cannot schedule it", tid)
                continue
            rows.append((tid, due, nxt))
        return len(await self._store.weekly.take(rows))


async def first_due(store: Store, tid: str, now: float) -> int:
    """When a report switched on now is first due: the coming Monday morning."""
    tenant = await store.tenants.get(tid)
    hours = (await store.schedules.tenant(tid)).schedule()
    return next_weekly(now, tenant.tz, hours)


async def switch(store: Store, tid: str, on: bool, now: float) -> int | None:
    """The weekly report on (returns when it is next due) or off (None)."""
    if not on:
        await store.tenants.get(tid)
        await store.weekly.switch_off(tid)
        return None
    await store.weekly.switch_on(tid, await first_due(store, tid, now))
    due = await store.weekly.due_at(tid)
    return None if due is None else int(due)


async def caption_and_chart(
    store: Store, cat: Catalogue, tid: str, since: float, until: float, title_key: str
) -> tuple[str, bytes]:
    """The HTML caption (the figures, as many blocks as fit 1024 characters) and the PNG."""
    from perezvon.chart import render_png  # matplotlib loads on the first chart only

    tenant = await store.tenants.get(tid)
    zone = ZoneInfo(tenant.tz)
    fmt = cat.t(tenant.lang, "admin.datetime")

    def t(key: str, **values: object) -> str:
        return cat.t(tenant.lang, key, **values)

    def when(ts: float) -> str:
        return datetime.fromtimestamp(ts, zone).strftime(fmt)

    def day(ts: float) -> str:
        return when(ts).split(" ")[0]

    cards = await tenant_cards(store, tid)
    data = figures(cards, tenant.tz, since, until)
    groups = await store.groups.list(tid)
    names = {g.id: g.name or t("group.default_name") for g in groups}
    lines = [
        t(title_key, since=when(since), until=when(until)),
        *figure_lines(t, when, data, names),
    ]
    caption = fit(lines, MAX_CAPTION)
    png = await asyncio.to_thread(
        render_png,
        series(cards, tenant.tz, since, until),
        t("reports.chart.title", since=day(since), until=day(until)),
        {o: t(f"reports.outcome.{o}") for o in OUTCOMES},
        t("reports.chart.ylabel"),
    )
    return caption, png


async def weekly_copies(
    store: Store, cat: Catalogue, tid: str, until: float, copies_to: CopiesTo
) -> Copies | None:
    """A "weekly" entry: the chart of the week before `until`, to every admin of the tenant."""
    admins = await store.admins.of_tenant(tid)
    if not admins:
        return None
    caption, png = await caption_and_chart(store, cat, tid, until - WEEK, until, "reports.weekly")
    key = await store.uploads.keep(tid, png)
    job = Job("", 0, tid, 0, Kind.FILE, caption, None, at=time.time(), media="photo",
              file=key, filename="weekly.png")  # fmt: skip
    return await copies_to(job, admins)
