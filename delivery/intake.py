"""Accepting a PBX's missed call: which group, whether it notifies, record and queue it once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from delivery import followup
from store import Store
from store.errors import NotFound
from store.events import CallEvent, FollowUp
from store.models import DEFAULT_GROUP, Group, Tenant


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
        (receipt,) = await self.submit_many(tenant, [event])
        return receipt

    async def submit_many(self, tenant: Tenant, events: Sequence[CallEvent]) -> list[Receipt]:
        """What `submit` would answer for each event in turn, in a handful of round trips.

        Durable when it returns: every new call is recorded and queued in one MULTI/EXEC that
        WATCHes all their keys, so a concurrent writer of the same call id makes us re-check.
        """
        if not events:
            return []
        groups = await self._groups(tenant, events)
        notifies = [groups[_gid(e)].notify for e in events]
        # Per call id, the first event whose group notifies is the one `submit` would record.
        candidate: dict[str, int] = {}
        for i, event in enumerate(events):
            if notifies[i]:
                candidate.setdefault(event.call_id, i)
        ids = list(dict.fromkeys(e.call_id for e in events))
        known = await self._record(tenant.id, events, ids, candidate)
        receipts: list[Receipt] = []
        ignored: Counter[str] = Counter()
        for i, event in enumerate(events):
            cid = event.call_id
            if cid in known:
                receipts.append(Receipt(cid, Outcome.DUPLICATE))
            elif not notifies[i]:
                receipts.append(Receipt(cid, Outcome.IGNORED, _ignored_reason(_gid(event))))
                ignored[_gid(event)] += 1
            else:
                receipts.append(Receipt(cid, Outcome.ACCEPTED))
                known.add(cid)
        if ignored:
            # Never dropped without a trace: the admins see a week's count per group.
            await self._store.groups.note_ignored(tenant.id, ignored)
        return receipts

    async def submit_followups(self, tenant: Tenant, events: Sequence[FollowUp]) -> list[Receipt]:
        """Answered and outbound calls: they resolve (or mark an attempt on) the caller's open
        card; a call id seen before is a duplicate (see delivery/followup.py)."""
        done = await followup.apply_many(self._store, tenant, events)
        return [
            Receipt(e.call_id, Outcome.ACCEPTED if new else Outcome.DUPLICATE)
            for e, new in zip(events, done, strict=True)
        ]

    async def _groups(self, tenant: Tenant, events: Sequence[CallEvent]) -> dict[str, Group]:
        names: dict[str, str] = {}
        for event in events:
            names.setdefault(_gid(event), event.group_name or "")
        found = await asyncio.gather(*(self._group(tenant, g, n) for g, n in names.items()))
        return {g.id: g for g in found}

    async def _group(self, tenant: Tenant, gid: str, name: str) -> Group:
        # The flag is read afresh for every call: an admin's switch applies to the next event.
        try:
            return await self._store.groups.get(tenant.id, gid)
        except NotFound:
            pass
        # A group the PBX names first: on or off as the tenant's policy says, admins told.
        group, _ = await self._store.groups.ensure(
            tenant.id, gid, name, notify=tenant.new_groups, announce=True
        )
        return group

    async def _record(
        self, tid: str, events: Sequence[CallEvent], ids: list[str], candidate: dict[str, int]
    ) -> set[str]:
        """Record and queue each candidate not yet known; returns the ids known before."""
        calls = {
            cid: (_gid(events[i]), events[i].model_dump_json(exclude_defaults=True))
            for cid, i in candidate.items()
        }
        return await self._store.calls.record_many(tid, calls, also_check=ids)


def _gid(event: CallEvent) -> str:
    return event.group or DEFAULT_GROUP


def _ignored_reason(gid: str) -> str:
    return f"group {gid!r} has «notify on missed calls» switched off"
