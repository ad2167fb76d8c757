"""Accepting a PBX's missed call: which group, whether it notifies, record and queue it once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from store import Store
from store.events import CallEvent
from store.models import DEFAULT_GROUP, Tenant


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class Receipt:
    call_id: str
    outcome: Outcome
    reason: str | None = None


class Intake:
    """The one entrance for missed calls, shared by the HTTP ingest and the PBX connectors."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def submit(self, tenant: Tenant, event: CallEvent) -> Receipt:
        """Durable in Redis (or known duplicate, or deliberately ignored) when this returns."""
        gid = event.group or DEFAULT_GROUP
        group, created = await self._store.groups.ensure(
            tenant.id, gid, event.group_name or "", notify=False
        )
        if created:
            await self._store.calls.announce_group(tenant.id, gid)
        if not group.notify:
            if await self._store.calls.get(tenant.id, event.call_id) is not None:
                return Receipt(event.call_id, Outcome.DUPLICATE)
            return Receipt(
                event.call_id,
                Outcome.IGNORED,
                f"group {gid!r} has «notify on missed calls» switched off",
            )
        payload = event.model_dump_json(exclude_defaults=True)
        if await self._store.calls.record(tenant.id, event.call_id, gid, payload):
            return Receipt(event.call_id, Outcome.ACCEPTED)
        return Receipt(event.call_id, Outcome.DUPLICATE)
