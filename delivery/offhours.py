"""Working hours at fan-out: which copies of a call go out without a sound, whether the call
is held for the morning digest, and the note a card gets when it came outside hours."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from delivery.render import _zone, fit
from perezvon.hours import in_window, is_open, next_opening
from perezvon.texts import Catalogue
from store import Store
from store.hours import OffHours
from store.models import Tenant


@dataclass(frozen=True, slots=True)
class Plan:
    """What working hours and quiet hours make of one call's copies."""

    off_hours: bool = False
    hold_until: float | None = None  # digest mode: hold the call, due at this epoch time
    silent: frozenset[int] = field(default_factory=frozenset)  # chats sent without a sound
    all_silent: bool = False  # quiet mode: every copy, a forum topic's too


class OffHoursPolicy:
    """`plan(...)` per call at fan-out; `silent_chats(...)` for anything sent later."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    async def plan(self, tenant: Tenant, gid: str, at: float, chats: list[int]) -> Plan:
        """`at`: when the call was accepted; quiet hours are judged by now (when it rings)."""
        setting = await self._store.schedules.effective(tenant.id, gid)
        schedule = setting.schedule()
        zone = _zone(tenant.tz).key
        instant = datetime.fromtimestamp(at, ZoneInfo(zone))
        off = schedule is not None and not is_open(schedule, instant, zone)
        if off and setting.off_hours is OffHours.DIGEST:
            opening = next_opening(schedule, instant, zone)
            if opening is not None:
                return Plan(True, hold_until=opening.timestamp())
        if off and setting.off_hours is OffHours.QUIET:
            return Plan(True, silent=frozenset(chats), all_silent=True)
        return Plan(off, silent=await self.silent_chats(tenant, chats))

    async def silent_chats(self, tenant: Tenant, chats: list[int]) -> frozenset[int]:
        """The chats whose personal quiet hours hold right now."""
        if not chats:
            return frozenset()
        zone = _zone(tenant.tz).key
        now = datetime.fromtimestamp(self._clock(), ZoneInfo(zone))
        quiet = await self._store.schedules.quiet_of(tenant.id, chats)
        return frozenset(c for c, w in quiet.items() if in_window(w, now, zone))


def mark_off_hours(cat: Catalogue, lang: str, text: str) -> str:
    """The card with the line saying the call came outside working hours."""
    lines = text.split("\n")
    return fit([lines[0], cat.t(lang, "hours.card.off_hours"), *lines[1:]])
