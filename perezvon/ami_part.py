"""Runs one AMI connection per configured link and follows `perezvon ami add/remove` live."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from connectors.asterisk import AmiConnection, AmiSettings, DetectorSettings
from delivery.intake import Intake
from perezvon.ami_dial import DialDesk
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store
from store.events import CallEvent, FollowUp
from store.models import AmiLink

log = logging.getLogger("perezvon.ami")

Connect = Callable[[AmiSettings, Callable[[CallEvent], Awaitable[None]]], AmiConnection]


async def _cancel(task: asyncio.Task[None]) -> None:
    """Cancel until it is done: a cancellation swallowed inside a Redis call is sent again."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()


def settings_for(link: AmiLink, tz: str) -> AmiSettings:
    """The connector's settings for one stored link (the tenant's zone for naive PBX times)."""
    context = None
    if link.tls and link.tls_ca:
        context = ssl.create_default_context(cafile=link.tls_ca)
    options: dict = {"did_groups": dict(link.did_groups or {}), "server_tz": ZoneInfo(tz)}
    if link.contexts:
        options["inbound_contexts"] = link.contexts
    detector = DetectorSettings(**options)
    return AmiSettings(
        host=link.host,
        port=link.port,
        username=link.username,
        secret=link.secret,
        tls=link.tls,
        ssl_context=context,
        name=f"ami-{link.id}",
        call_id_prefix=f"ami:{link.id}:",
        detector=detector,
    )


class AmiSupervisor:
    """Keeps the running connections equal to the stored links, re-checking every few seconds."""

    def __init__(
        self,
        store: Store,
        intake: Intake,
        *,
        metrics: Metrics | None = None,
        reconcile_every: float = 5.0,
        connect: Connect = AmiConnection,
        catalogue: Catalogue | None = None,
    ) -> None:
        self._store = store
        self._intake = intake
        self._metrics = metrics
        self._every = reconcile_every
        self._connect = connect
        self._cat = catalogue or Catalogue()
        self._running: dict[str, tuple[AmiLink, asyncio.Task[None]]] = {}
        self._conns: dict[str, object] = {}  # link id -> its connection (has `connected`)
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def link_ids(self) -> list[str]:
        return sorted(self._running, key=int)

    def _on_missed(self, link: AmiLink) -> Callable[[CallEvent | FollowUp], Awaitable[None]]:
        async def submit(event: CallEvent | FollowUp) -> None:
            # Raising makes the connector keep the call and retry: nothing decided is lost.
            tenant = await self._store.tenants.get(link.tenant_id)
            if isinstance(event, CallEvent):
                receipt = await self._intake.submit(tenant, event)
            else:  # the follow-up loop: the caller got through, or was called back
                (receipt,) = await self._intake.submit_followups(tenant, [event])
            if self._metrics is not None:
                self._metrics.inc(f"events_{receipt.outcome.value}_total")
            log.info("AMI %s: call %s %s", link.id, event.call_id, receipt.outcome.value)

        return submit

    async def reconcile(self) -> None:
        links = {link.id: link for link in await self._store.ami.list()}
        for aid in list(self._running):
            link, task = self._running[aid]
            if links.get(aid) != link or task.done():
                del self._running[aid]
                self._conns.pop(aid, None)
                await _cancel(task)
        for aid, link in links.items():
            if aid in self._running:
                continue
            tenant = await self._store.tenants.get(link.tenant_id)
            try:
                settings = settings_for(link, tenant.tz)
            except (ValueError, OSError) as exc:
                log.error("AMI link %s is misconfigured and stays off: %s", aid, exc)
                continue
            conn = self._connect(settings, self._on_missed(link))
            task = asyncio.create_task(self._serve(link, conn), name=f"ami-{aid}")
            self._running[aid] = (link, task)
            self._conns[aid] = conn
            log.info("AMI link %s: connecting to %s:%s", aid, link.host, link.port)

    async def _serve(self, link: AmiLink, conn: AmiConnection) -> None:
        # The link's owner is the one process that may place its calls («Позвонить»).
        if not link.dial:
            return await conn.run()
        desk = asyncio.create_task(
            DialDesk(self._store, self._cat, link, conn).run(), name=f"ami-dial-{link.id}"
        )
        try:
            await conn.run()
        finally:
            await _cancel(desk)

    async def _loop(self) -> None:
        # Stopped by an event, not by cancel(): a cancellation landing inside a Redis command
        # can be swallowed by the client, and the loop would then never end.
        while not self._stopping.is_set():
            try:
                await self.reconcile()
                await self.report()
            except Exception:
                log.exception("AMI links could not be read; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._every)

    async def report(self) -> None:
        """Which links are connected, for the silent-PBX watch (delivery/silence.py): a link
        that is up keeps its tenant's PBX counted as alive."""
        up = {aid: bool(getattr(c, "connected", False)) for aid, c in self._conns.items()}
        await self._store.heartbeats.links_seen(up)
        for aid, connected in up.items():
            if connected and aid in self._running:
                await self._store.heartbeats.beat(self._running[aid][0].tenant_id)

    async def start(self) -> None:
        await self.reconcile()
        self._loop_task = asyncio.create_task(self._loop(), name="ami-supervisor")

    async def stop(self) -> None:
        self._stopping.set()
        if self._loop_task is not None:
            await self._loop_task
        tasks = [t for _, t in self._running.values()]
        self._running.clear()
        self._conns.clear()
        await asyncio.gather(*(_cancel(t) for t in tasks))
