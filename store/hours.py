"""Working hours per tenant (optionally per group), personal quiet hours, and the calls held
for the morning digest with the time each is due."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis

from perezvon.hours import (
    BadHours,
    Hours,
    Range,
    parse_date,
    parse_hours,
    parse_window,
    window_text,
)
from store import keys
from store._tx import atomically
from store.errors import InvalidInput, NotFound

# Longest expected silence of a PBX an admin may set: a week.
MAX_SILENCE = 7 * 86_400


class OffHours(StrEnum):
    NOTIFY = "notify"  # as in working hours
    QUIET = "quiet"  # sent at once, without a sound
    DIGEST = "digest"  # held, and listed in one message at the next opening


@dataclass(frozen=True, slots=True)
class HoursSetting:
    """A tenant's (or a group's effective) working hours; `hours` "" means always open."""

    hours: str = ""
    holidays: tuple[str, ...] = ()
    off_hours: OffHours = OffHours.NOTIFY
    silence_alert: int = 0  # seconds without events (in hours) before the alarm; 0 = off
    from_group: bool = False  # the schedule is the group's own, not the tenant's

    def schedule(self) -> Hours | None:
        if not self.hours:
            return None
        try:
            return parse_hours(self.hours, self.holidays)
        except BadHours:
            return None  # stored by an older rule: treat as always open rather than fail


def _holidays(raw: str | None) -> tuple[str, ...]:
    return tuple(d for d in (raw or "").split(",") if d)


def _canonical(hours: str, holidays: list[str] | tuple[str, ...]) -> tuple[str, str]:
    """The stored forms of a schedule, or InvalidInput; "" hours switch the schedule off."""
    try:
        days = sorted({parse_date(d).isoformat() for d in holidays})
        text = parse_hours(hours).text() if hours.strip() else ""
    except BadHours as exc:
        raise InvalidInput(str(exc)) from exc
    return text, ",".join(days)


_TENANT_FIELDS = ["id", "hours", "holidays", "off_hours", "silence_alert"]


def _tenant_setting(tid: str, h: list) -> HoursSetting:
    if h[0] is None:
        raise NotFound(f"no tenant {tid}")
    try:
        mode = OffHours(h[3] or OffHours.NOTIFY)
    except ValueError:
        mode = OffHours.NOTIFY
    return HoursSetting(h[1] or "", _holidays(h[2]), mode, int(h[4] or 0))


class Schedules:
    """Fields of the tenant and group records (`hours`, `holidays`, `off_hours`, ...), and
    the tenant's `{t}:quiet` hash of personal quiet hours (chat -> window)."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def tenant(self, tid: str) -> HoursSetting:
        return _tenant_setting(tid, await self._r.hmget(keys.tenant(tid), _TENANT_FIELDS))

    async def set_tenant(
        self,
        tid: str,
        *,
        hours: str | None = None,
        holidays: list[str] | None = None,
        off_hours: str | None = None,
        silence_alert: int | None = None,
    ) -> HoursSetting:
        """Change some of a tenant's hour settings (None leaves one as it is); validated first."""
        changes: dict[str, str] = {}
        if hours is not None or holidays is not None:
            text, days = _canonical(hours or "", holidays or [])
            if hours is not None:
                changes["hours"] = text
            if holidays is not None:
                changes["holidays"] = days
        if off_hours is not None:
            try:
                changes["off_hours"] = OffHours(off_hours).value
            except ValueError as exc:
                raise InvalidInput("off hours must be notify, quiet or digest") from exc
        if silence_alert is not None:
            if not 0 <= silence_alert <= MAX_SILENCE:
                raise InvalidInput("silence alert must be between 0 and 7 days")
            changes["silence_alert"] = str(silence_alert)
        await self._update(keys.tenant(tid), changes, NotFound(f"no tenant {tid}"))
        return await self.tenant(tid)

    async def set_group(
        self, tid: str, gid: str, *, hours: str | None, holidays: list[str] | None = None
    ) -> HoursSetting:
        """A group's own schedule ("" hours: back to the tenant's)."""
        text, days = _canonical(hours or "", holidays or [])
        changes = {"hours": text}
        if holidays is not None:
            changes["holidays"] = days
        await self._update(keys.group(tid, gid), changes, NotFound(f"no group {gid!r}"))
        return await self.effective(tid, gid)

    async def effective(self, tid: str, gid: str) -> HoursSetting:
        """The hours a group's calls are judged by: its own schedule, else the tenant's."""
        async with self._r.pipeline(transaction=False) as pipe:  # one round trip, one slot
            pipe.hmget(keys.tenant(tid), _TENANT_FIELDS)
            pipe.hmget(keys.group(tid, gid), ["hours", "holidays"])
            fields, (own, days) = await pipe.execute()
        tenant = _tenant_setting(tid, fields)
        if not own:
            return tenant
        return HoursSetting(own, _holidays(days), tenant.off_hours, tenant.silence_alert, True)

    async def _update(self, key: str, changes: dict[str, str], missing: NotFound) -> None:
        if not changes:
            return

        async def body(pipe) -> None:
            if not await pipe.hexists(key, "created_at"):
                raise missing
            pipe.multi()
            pipe.hset(key, mapping=changes)

        await atomically(self._r, [key], body)

    async def quiet(self, tid: str, chat_id: int) -> Range | None:
        return (await self.quiet_of(tid, [chat_id])).get(chat_id)

    async def quiet_of(self, tid: str, chats: list[int]) -> dict[int, Range]:
        """The personal quiet hours of each of these chats that has some: one read of the
        tenant's `{t}:quiet` hash, whatever the number of followers."""
        stored = await self._r.hgetall(keys.quiet(tid))
        wanted = {str(c) for c in chats}
        found: dict[int, Range] = {}
        for chat, raw in stored.items():
            if chat in wanted:
                try:
                    found[int(chat)] = parse_window(raw)
                except BadHours:
                    pass
        return found

    async def set_quiet(self, tid: str, chat_id: int, window: str | None) -> Range | None:
        """Personal quiet hours ("22:00-08:00") of a subscribed chat, or None to end them."""
        parsed = None
        if window is not None:
            try:
                parsed = parse_window(window)
            except BadHours as exc:
                raise InvalidInput(str(exc)) from exc
        if not await self._r.hexists(keys.sub(tid, chat_id), "status"):
            raise NotFound(f"chat {chat_id} is not subscribed")
        if parsed is None:
            await self._r.hdel(keys.quiet(tid), str(chat_id))
        else:
            await self._r.hset(keys.quiet(tid), str(chat_id), window_text(parsed))
        return parsed


@dataclass(frozen=True, slots=True)
class HeldCall:
    call_id: str
    due: float


class HeldCalls:
    """Calls kept back at night for the digest: `{t}:held` (call id -> due time) per tenant
    and the global `pz:held_due` (tenant -> earliest due) the workers look at.

    Every write puts the call in the tenant's set before the tenant in the global one, and a
    release reads the tenant's set after writing the global one: whatever interleaving, a
    tenant with held calls stays in the global set."""

    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock

    async def hold(self, tid: str, call_id: str, due: float) -> None:
        await self._r.zadd(keys.held(tid), {call_id: due})
        await self._r.zadd(keys.HELD_DUE, {tid: due}, lt=True)

    async def due_tenants(self, now: float, limit: int = 100) -> list[str]:
        return await self._r.zrangebyscore(keys.HELD_DUE, "-inf", now, start=0, num=limit)

    async def lock(self, tid: str, seconds: float) -> bool:
        """Only one worker builds a tenant's digest at a time (the lock expires by itself)."""
        return bool(await self._r.set(keys.held_lock(tid), "1", nx=True, px=round(seconds * 1000)))

    async def unlock(self, tid: str) -> None:
        await self._r.delete(keys.held_lock(tid))

    async def due(self, tid: str, now: float) -> list[HeldCall]:
        rows = await self._r.zrangebyscore(keys.held(tid), "-inf", now, withscores=True)
        return [HeldCall(cid, due) for cid, due in rows]

    async def pending(self, tid: str) -> list[HeldCall]:
        rows = await self._r.zrange(keys.held(tid), 0, -1, withscores=True)
        return [HeldCall(cid, due) for cid, due in rows]

    async def release(self, tid: str, call_ids: list[str]) -> None:
        """Forget digested calls and reschedule the tenant by what is still held."""
        if call_ids:
            await self._r.zrem(keys.held(tid), *call_ids)
        first = await self._r.zrange(keys.held(tid), 0, 0, withscores=True)
        if first:
            await self._r.zadd(keys.HELD_DUE, {tid: first[0][1]})
        else:
            await self._r.zrem(keys.HELD_DUE, tid)
        # A call held meanwhile may have found our entry and been dropped with it: look again.
        first = await self._r.zrange(keys.held(tid), 0, 0, withscores=True)
        if first:
            await self._r.zadd(keys.HELD_DUE, {tid: first[0][1]}, lt=True)
