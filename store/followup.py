"""A missed call's life: open -> claimed -> resolved, one card per caller while unresolved.

Every transition is one WATCH/MULTI over the tenant's keys that also appends a "card" intake
entry (the edits of every copy) to the tenant's stream, so a crash never leaves a change without
its edits; a lost race re-reads and answers who won. PBX call ids already applied are
remembered, so a repeated event changes nothing.

The due index (FOLLOWUP_DUE) is global, in a slot of its own, so it is written outside the
tenant's MULTI: a step is added before it (a stale early entry finds the card in another state
and is refused when taken) and removed after it (a leftover is refused the same way).
"""

from __future__ import annotations

from collections.abc import Callable

from redis.asyncio import Redis

from store import keys
from store._tx import atomically
from store.cards import (
    HISTORY_SECONDS,
    RECENT_KEPT,
    Card,
    Changed,
    Copy,
    History,
    Opened,
    Refused,
    Resolution,
    State,
    Step,
    card_of_record,
    due_member,
    record_of,
    replaced,
)
from store.intake import CardDueEntry, CardEntry, IntakeIndex, append

# KEYS: the card, its copies; ARGV: "chat:bot:message", "bid|version", ttl s. The card's
# version (a card without one: its first), or nil and nothing written when the card is gone.
_ADD_COPY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return tonumber(redis.call('HGET', KEYS[1], 'version') or '1')
"""


class FollowUps:
    """The follow-up repository of every tenant."""

    def __init__(
        self, redis: Redis, clock: Callable[[], float], intake: IntakeIndex | None = None
    ) -> None:
        self._r = redis
        self._clock = clock
        self._intake = intake or IntakeIndex(redis)
        self._add_copy = redis.register_script(_ADD_COPY)

    def now(self) -> float:
        return self._clock()

    async def get(self, tid: str, card: str) -> Card | None:
        return card_of_record(tid, await self._r.hgetall(keys.fu_card(tid, card)))

    async def card_of_call(self, tid: str, call_id: str) -> Card | None:
        ref = await self._r.get(keys.fu_ref(tid, call_id))
        return await self.get(tid, ref) if ref and ref != "-" else None

    async def recent(self, tid: str, limit: int = 50, *, open_only: bool = False) -> list[Card]:
        index = keys.fu_open(tid) if open_only else keys.fu_cards(tid)
        ids = await self._r.zrevrange(index, 0, limit - 1)
        async with self._r.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.hgetall(keys.fu_card(tid, cid))
            rows = await pipe.execute()
        return [c for c in (card_of_record(tid, h) for h in rows) if c is not None]

    async def history(self, tid: str, number: str) -> History:
        if not number:
            return History(0, None, None)
        since = self._clock() - HISTORY_SECONDS
        async with self._r.pipeline(transaction=False) as pipe:  # one round trip, one slot
            pipe.zcount(keys.fu_seen(tid, number), since, "+inf")
            pipe.hgetall(keys.fu_caller(tid, number))
            count, h = await pipe.execute()
        answered, back = h.get("last_answered"), h.get("last_called_back")
        return History(count, float(answered) if answered else None, float(back) if back else None)

    # --- a missed call ---------------------------------------------------------------------

    async def open_call(
        self,
        tid: str,
        call_id: str,
        caller: str,
        group_id: str,
        at: float,
        *,
        escalate_after: float = 0,
        window: float = 24 * 3600,
        dial: bool = False,
    ) -> Opened:
        """The card of this missed call: a new one, or the caller's unresolved one updated
        (count, last seen). `caller` is normalised ("" = hidden: never merged). Repeats of a
        call id return the same answer and change nothing."""
        watched = [keys.fu_ref(tid, call_id)]
        if caller:
            watched.append(keys.fu_caller_open(tid, caller))

        async def body(pipe) -> Opened:
            # Both watched keys in one round trip (the caller's open card is read for nothing
            # only on a repeat of the call id).
            ref, open_id = (
                await pipe.mget(*watched) if caller else (await pipe.get(watched[0]), None)
            )
            if ref and ref != "-":
                card = card_of_record(tid, await pipe.hgetall(keys.fu_card(tid, ref)))
                if card is not None:
                    return Opened(card, card.call_id == call_id)
            current = (
                card_of_record(tid, await pipe.hgetall(keys.fu_card(tid, open_id)))
                if open_id
                else None
            )
            if current is not None and current.state is not State.RESOLVED:
                await pipe.watch(keys.fu_card(tid, current.id))
                pipe.multi()
                ck = keys.fu_card(tid, current.id)
                pipe.hset(ck, mapping={"last_seen": repr(max(at, current.last_seen))})
                pipe.hincrby(ck, "count", 1)
                pipe.hincrby(ck, "version", 1)
                pipe.set(keys.fu_ref(tid, call_id), current.id, ex=HISTORY_SECONDS)
                self._seen(pipe, tid, caller, call_id, at)
                return Opened(
                    replaced(current, count=current.count + 1, version=current.version + 1,
                             last_seen=max(at, current.last_seen)),
                    False,
                )  # fmt: skip
            card_id = str(await self._r.incr(keys.fu_seq(tid)))
            record = {
                "id": card_id,
                "call_id": call_id,
                "caller": caller,
                "group": group_id,
                "state": State.OPEN.value,
                "first_seen": repr(at),
                "last_seen": repr(at),
                "count": "1",
                "version": "1",
            }
            due = {due_member(tid, card_id, Step.EXPIRE): at + window}
            if escalate_after > 0:
                due[due_member(tid, card_id, Step.ESCALATE)] = at + escalate_after
            await self._r.zadd(keys.FOLLOWUP_DUE, due)
            if dial:
                record["dial"] = "1"
            pipe.multi()
            pipe.hset(keys.fu_card(tid, card_id), mapping=record)
            pipe.expire(keys.fu_card(tid, card_id), HISTORY_SECONDS * 2)
            pipe.set(keys.fu_ref(tid, call_id), card_id, ex=HISTORY_SECONDS)
            if caller:
                pipe.set(keys.fu_caller_open(tid, caller), card_id, ex=HISTORY_SECONDS)
                self._seen(pipe, tid, caller, call_id, at)
            pipe.zadd(keys.fu_cards(tid), {card_id: at})
            pipe.zremrangebyrank(keys.fu_cards(tid), 0, -RECENT_KEPT - 1)
            pipe.zadd(keys.fu_open(tid), {card_id: at})
            return Opened(card_of_record(tid, record), True)  # type: ignore[arg-type]

        return await atomically(self._r, watched, body)

    @staticmethod
    def _seen(pipe, tid: str, caller: str, call_id: str, at: float) -> None:
        pipe.zadd(keys.fu_seen(tid, caller), {call_id: at})
        pipe.zremrangebyscore(keys.fu_seen(tid, caller), "-inf", at - HISTORY_SECONDS)
        pipe.expire(keys.fu_seen(tid, caller), HISTORY_SECONDS)

    # --- presses on a card -----------------------------------------------------------------

    async def claim(
        self, tid: str, card: str, user: int, name: str, *, remind_after: float = 0
    ) -> Changed:
        """Open -> claimed by `user`; a second claimer is told who has it."""

        def change(c: Card, now: float) -> tuple[dict[str, str], Refused | None]:
            if c.state is State.RESOLVED:
                return {}, Refused.RESOLVED
            if c.state is State.CLAIMED:
                return {}, None if c.claimed_by == user else Refused.TAKEN
            return {
                "state": State.CLAIMED.value,
                "claimed_by": str(user),
                "claimed_name": name,
                "claimed_at": repr(now),
            }, None

        due = {Step.REMIND: remind_after} if remind_after > 0 else {}
        return await self._transition(tid, card, change, due=due)

    async def unclaim(self, tid: str, card: str, user: int) -> Changed:
        """Claimed -> open again, by the claimer only."""

        def change(c: Card, now: float) -> tuple[dict[str, str], Refused | None]:
            if c.state is State.RESOLVED:
                return {}, Refused.RESOLVED
            if c.state is not State.CLAIMED:
                return {}, Refused.NOT_CLAIMED
            if c.claimed_by != user:
                return {}, Refused.TAKEN
            return {"state": State.OPEN.value, "claimed_by": "", "claimed_name": "",
                    "claimed_at": ""}, None  # fmt: skip

        return await self._transition(tid, card, change, drop_due=(Step.REMIND,))

    async def resolve(
        self,
        tid: str,
        card: str,
        resolution: Resolution,
        *,
        user: int = 0,
        name: str = "",
        extension: str = "",
        talk_seconds: float | None = None,
        at: float | None = None,
    ) -> Changed:
        """Any unresolved state -> resolved, once; the claimer is kept as the resolver when a
        PBX event names only an extension."""

        def change(c: Card, now: float) -> tuple[dict[str, str], Refused | None]:
            if c.state is State.RESOLVED:
                return {}, Refused.RESOLVED
            when = now if at is None else at
            fields = {
                "state": State.RESOLVED.value,
                "resolution": resolution.value,
                "resolved_at": repr(when),
                "resolved_by": str(user or c.claimed_by or ""),
                "resolved_name": name or c.claimed_name,
                "extension": extension,
            }
            if talk_seconds is not None:
                fields["talk_seconds"] = repr(talk_seconds)
            return fields, None

        return await self._transition(
            tid, card, change, drop_due=tuple(Step), resolving=(resolution, at)
        )

    async def attempt(self, tid: str, card: str, at: float) -> Changed:
        """An unanswered call back: shown on the card, resolves nothing."""

        def change(c: Card, now: float) -> tuple[dict[str, str], Refused | None]:
            if c.state is State.RESOLVED:
                return {}, Refused.RESOLVED
            return {"attempts": str(c.attempts + 1), "last_attempt_at": repr(at)}, None

        return await self._transition(tid, card, change)

    async def mark(self, tid: str, card: str, step: Step) -> Changed:
        """Record that the escalation (or reminder) was sent, once: refused the second time."""
        flag = "escalated" if step is Step.ESCALATE else "reminded"

        def change(c: Card, now: float) -> tuple[dict[str, str], Refused | None]:
            if c.state is State.RESOLVED:
                return {}, Refused.RESOLVED
            wanted = State.OPEN if step is Step.ESCALATE else State.CLAIMED
            if c.state is not wanted or getattr(c, flag):
                return {}, Refused.NOT_CLAIMED
            return {flag: "1"}, None

        return await self._transition(tid, card, change, refresh=False)

    async def _transition(
        self,
        tid: str,
        card: str,
        change: Callable[[Card, float], tuple[dict[str, str], Refused | None]],
        *,
        due: dict[Step, float] | None = None,
        drop_due: tuple[Step, ...] = (),
        resolving: tuple[Resolution, float | None] | None = None,
        refresh: bool = True,
    ) -> Changed:
        key = keys.fu_card(tid, card)
        wrote = False

        async def body(pipe) -> Changed:
            nonlocal wrote
            wrote = False  # a retried attempt may end without writing
            c = card_of_record(tid, await pipe.hgetall(key))
            if c is None:
                return Changed(None, Refused.GONE)
            now = self._clock()
            fields, refused = change(c, now)
            if refused is not None or not fields:
                return Changed(c, refused)
            if due:
                await self._r.zadd(
                    keys.FOLLOWUP_DUE,
                    {due_member(tid, card, step): now + delay for step, delay in due.items()},
                )
            pipe.multi()
            wrote = True
            pipe.hset(key, mapping=fields)
            if refresh:
                pipe.hincrby(key, "version", 1)
                append(CardEntry(tid, card), pipe)
            if resolving is not None:
                resolution, at = resolving
                when = repr(now if at is None else at)
                pipe.zrem(keys.fu_open(tid), card)
                if c.caller:
                    pipe.delete(keys.fu_caller_open(tid, c.caller))
                    if resolution is Resolution.CALLED_BACK:
                        pipe.hset(keys.fu_caller(tid, c.caller), "last_called_back", when)
                        pipe.expire(keys.fu_caller(tid, c.caller), HISTORY_SECONDS)
            updated = {**record_of(c), **fields, "version": str(c.version + (1 if refresh else 0))}
            return Changed(card_of_record(tid, updated))

        changed = await atomically(self._r, [key], body)
        if wrote:
            if refresh:
                await self._intake.mark([tid])
            if drop_due:
                await self._r.zrem(keys.FOLLOWUP_DUE, *(due_member(tid, card, s) for s in drop_due))
        return changed

    # --- what the PBX tells us next ------------------------------------------------------------

    async def seen_event(self, tid: str, call_id: str) -> bool:
        """Whether a follow-up event (or missed call) of this PBX call id was applied."""
        return await self._r.get(keys.fu_ref(tid, call_id)) is not None

    async def applied(self, tid: str, call_id: str) -> bool:
        """Mark a follow-up event's call id as applied; False when it already was."""
        return bool(await self._r.set(keys.fu_ref(tid, call_id), "-", nx=True, ex=HISTORY_SECONDS))

    async def take_due(self, limit: int = 100) -> int:
        """Every step due by now, moved into the tenants' intake streams (see `take_due`)."""
        return await take_due(self._r, self._clock(), limit, self._intake)

    async def open_card_of(self, tid: str, number: str) -> Card | None:
        if not number:
            return None
        cid = await self._r.get(keys.fu_caller_open(tid, number))
        card = await self.get(tid, cid) if cid else None
        return card if card is not None and card.state is not State.RESOLVED else None

    async def answered(self, tid: str, number: str, call_id: str, at: float) -> None:
        """An inbound call from this number was answered: its history remembers it."""
        if not number:
            return
        async with self._r.pipeline(transaction=True) as pipe:
            self._seen(pipe, tid, number, call_id, at)
            pipe.hset(keys.fu_caller(tid, number), "last_answered", repr(at))
            pipe.expire(keys.fu_caller(tid, number), HISTORY_SECONDS)
            await pipe.execute()

    async def keep_early(self, tid: str, number: str, event: str, at: float) -> None:
        """A follow-up event that found no card: kept for the card a missed call of this
        number may be about to get (its fan-out runs after the event was applied)."""
        if not number:
            return
        key = keys.fu_early(tid, number)
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {event: at})
            pipe.zremrangebyscore(key, "-inf", self._clock() - EARLY_SECONDS)
            pipe.zremrangebyrank(key, 0, -EARLY_KEPT - 1)
            pipe.expire(key, int(EARLY_SECONDS))
            await pipe.execute()

    async def take_early(self, tid: str, number: str) -> list[tuple[str, float]]:
        """The kept events of this number, oldest first, and forget them."""
        if not number:
            return []
        key = keys.fu_early(tid, number)
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.zrange(key, 0, -1, withscores=True)
            pipe.delete(key)
            rows, _ = await pipe.execute()
        return [(raw, float(at)) for raw, at in rows]

    # --- the messages of a card --------------------------------------------------------------

    async def add_copy(
        self, tid: str, card: str, chat: int, bot: int, bid: str, message: int, version: int
    ) -> int | None:
        """Record a message of the card (one round trip, the sender makes one per send);
        returns the card's version now, or None (nothing recorded) when there is no card."""
        now = await self._add_copy(
            keys=[keys.fu_card(tid, card), keys.fu_copies(tid, card)],
            args=[f"{chat}:{bot}:{message}", f"{bid}|{version}", int(HISTORY_SECONDS * 2)],
        )
        return None if now is None else int(now)

    async def copies(self, tid: str, card: str) -> list[Copy]:
        found = []
        for field, value in (await self._r.hgetall(keys.fu_copies(tid, card))).items():
            chat, bot, message = field.split(":")
            bid, _, shown = value.partition("|")
            found.append(Copy(int(chat), int(bot), int(message), bid, int(shown or 0)))
        return sorted(found, key=lambda c: (c.chat, c.message_id))

    async def shown(self, tid: str, card: str, copy: Copy, version: int) -> None:
        """This copy now shows `version` (only if it is still recorded)."""
        field = f"{copy.chat}:{copy.bot}:{copy.message_id}"
        if await self._r.hexists(keys.fu_copies(tid, card), field):
            await self._r.hset(keys.fu_copies(tid, card), field, f"{copy.bid}|{version}")

    async def forget_copy(self, tid: str, card: str, copy: Copy) -> None:
        """A copy that can no longer be edited (deleted, chat blocked the bot)."""
        await self._r.hdel(keys.fu_copies(tid, card), f"{copy.chat}:{copy.bot}:{copy.message_id}")


# How long, and how many, follow-up events of a number without a card are kept (see
# keep_early): the fan-out makes the card within seconds, minutes when the intake is behind.
EARLY_SECONDS = 3600.0
EARLY_KEPT = 20


async def take_due(
    redis: Redis, now: float, limit: int = 100, intake: IntakeIndex | None = None
) -> int:
    """Queue every step due by `now` as a "card_due" intake entry; returns how many.

    The due index and the tenants' streams live in different slots, so the steps are appended
    first and removed from the index after: a crash in between, or two workers taking the same
    step, queue it twice, and the second is refused (DueSteps applies each step once)."""
    due = await redis.zrangebyscore(keys.FOLLOWUP_DUE, "-inf", repr(now), start=0, num=limit)
    entries = []
    for member in due:
        tid, _, rest = member.partition("|")
        card, _, step = rest.partition("|")
        if tid and card and step and "|" not in step:
            entries.append(CardDueEntry(tid, card, step))
    if entries:
        await (intake or IntakeIndex(redis)).add(entries)
    if due:
        await redis.zrem(keys.FOLLOWUP_DUE, *due)
    return len(due)
