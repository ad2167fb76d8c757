"""«Позвонить» on the process that holds an AMI link: take the link's call-back requests from
Redis (store/dial.py), place each once with AMI Originate, tell the user how it went."""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Protocol

from connectors.asterisk.originate import Originate, Outcome
from delivery.outbox import Outbox
from perezvon.texts import Catalogue
from store import Store
from store.dial import DialRequest
from store.errors import NotFound
from store.models import AmiLink

log = logging.getLogger("perezvon.ami")

RING_MS = 30_000  # how long the employee's phone rings before the request is given up
LATE = "late"  # not an Originate outcome: the request waited too long to be placed
TEXT = {
    Outcome.ANSWERED: "card.call.connecting",
    Outcome.NO_ANSWER: "card.call.no_answer",
    Outcome.BUSY: "card.call.busy",
    Outcome.FAILED: "card.call.failed",
    Outcome.LOST: "card.call.unknown",
    LATE: "card.call.late",
}


class Dialler(Protocol):
    connected: bool

    async def originate(self, call: Originate) -> Outcome: ...


def originate_for(link: AmiLink, req: DialRequest) -> Originate:
    """The Originate of one request under the link's dial settings."""
    number = req.number
    common = {
        "channel": f"{link.dial_tech}/{req.extension}",
        # What the employee's phone shows while it rings: the customer it is about to call.
        "caller_id": f'"{number}" <{number}>',
        "timeout_ms": RING_MS,
    }
    if link.dial_app:
        return Originate(
            application=link.dial_app, data=link.dial_data.replace("{number}", number), **common
        )
    return Originate(context=link.dial_context, exten=number, priority="1", **common)


class DialDesk:
    """Serves one link's requests while its connection is up; each is sent at most once."""

    def __init__(
        self,
        store: Store,
        cat: Catalogue,
        link: AmiLink,
        conn: Dialler,
        *,
        every: float = 0.25,
    ) -> None:
        self._store = store
        self._cat = cat
        self._link = link
        self._conn = conn
        self._every = every
        self._outbox = Outbox(store)

    async def run(self) -> None:
        dials = self._store.dials
        # Taken by an owner that stopped before it told the outcome: the phone may have rung,
        # so never again; the user hears that it is unknown.
        for req in await dials.stranded(self._link.id):
            await self._finish(req, Outcome.LOST)
        while True:
            try:
                served = await self._serve_one()
            except Exception:
                # Redis away: a request taken meanwhile is told as unknown on the next start.
                log.exception("AMI %s: call-back requests could not be served", self._link.id)
                served = False
            if not served:
                await asyncio.sleep(self._every)

    async def _serve_one(self) -> bool:
        dials = self._store.dials
        req = await dials.take(self._link.id) if self._conn.connected else None
        if req is None:
            return False
        if dials.too_old(req):
            await self._finish(req, LATE)
            return True
        outcome = await self._conn.originate(originate_for(self._link, req))
        log.info("AMI %s: call-back %s %s", self._link.id, req.id, outcome.value)
        await self._finish(req, outcome)
        return True

    async def _finish(self, req: DialRequest, outcome: str) -> None:
        try:
            tenant = await self._store.tenants.get(req.tenant)
        except NotFound:
            await self._store.dials.done(req)
            return
        text = self._cat.t(
            tenant.lang,
            TEXT[outcome],
            number=html.escape(req.number, quote=False),
            ext=html.escape(req.extension, quote=False),
        )
        await self._outbox.service(tenant.id, req.user, text)
        await self._store.dials.done(req)
