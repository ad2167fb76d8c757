"""Calls a PBX reports as a series of events: one record per call, folded until its end event.

Some vendors (Rostelecom VATS) never say "missed": only the sequence of a call's events does
(an end without a connect). The record lives under the tenant's tag with a TTL, so two ingest
processes receiving events of one call fold into the same record, and a vendor's retries are
harmless: the first value of each field wins, marks only ever get set, and once the end event
has been folded the record is frozen, so every retry of the end sees the same record.

An end step may carry the vendor's `MissedRule`: then the same script that folds it judges the
ended record and, when it is a missed call of a group that notifies, records and queues the call
as store/calls.py does, so the post is durable after one round trip. Every other ending (an
answered or outbound call, a group that is new or switched off) is judged by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from redis.asyncio import Redis

from store import keys
from store.calls import DEDUP_SECONDS, RECENT_KEPT, RECORD_CALL_LUA, Calls
from store.events import CallEvent
from store.intake import CallEntry, fields_argv
from store.models import DEFAULT_GROUP

# Long enough for the longest call the event schema admits (a day) plus the vendor's retries.
TTL_SECONDS = 2 * 86_400
ENDED = "_ended"
MAX_SPAN = 86_400.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# KEYS: the calls index, the tenant's intake stream, then per step the call's record, and for
# a step with a rule the call's key (store/calls.py) and its group's key (one tenant's, so one
# slot). ARGV: fold ttl, now, dedup ttl, kept; the encoded CallEntry of any call (e values; the
# call id goes at position p), then the rules: their count, each as its length and its
# `MissedRule.argv()`; then per step: final (0/1), n, m, its rule (0: none), n field/value
# pairs, m marks and, with a rule, its call id and group id. A batch names each rule once, so
# a step costs few arguments (packing them is most of a script call's cost to the caller).
# Returns per step [] while the call goes on; at (a retry of) its end: 'a' the rule found a
# missed call and recorded it now, 'd' recorded before, or 'j' (the caller judges) followed by
# the whole record (with `_ended`). The steps are folded in order, so two steps of one call in
# one batch fold as if sent apart. `iso` and `span` are the same arithmetic as `_iso` and
# `_span` below.
_FOLD = (
    RECORD_CALL_LUA
    + """
local function micros(text)
  return math.floor(tonumber(text) * 1e6 + 0.5)
end

local function iso(text)
  if text == nil then return nil end
  local us = micros(text)
  local secs = math.floor(us / 1e6)
  us = us - secs * 1e6
  local days = math.floor(secs / 86400)
  local rem = secs - days * 86400
  -- days since 1970-01-01 to a civil date (H. Hinnant's civil_from_days)
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524)
    - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  local out = string.format('%04d-%02d-%02dT%02d:%02d:%02d', y, m, d,
    math.floor(rem / 3600), math.floor((rem % 3600) / 60), rem % 60)
  if us > 0 then out = out .. string.format('.%06d', us) end
  return out .. '+00:00'
end

local function span(a, b)
  if a == nil or b == nil then return nil end
  local d = (micros(b) - micros(a)) / 1e6
  if d < 0 then return nil end
  if d > 86400 then d = 86400 end
  return d
end

local now, dedup, kept = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local e, p = tonumber(ARGV[5]), tonumber(ARGV[6])
local template = {unpack(ARGV, 7, 6 + e)}
local at, rules = 8 + e, {}
for i = 1, tonumber(ARGV[7 + e]) do
  local len = tonumber(ARGV[at])
  rules[i] = {unpack(ARGV, at + 1, at + len)}
  at = at + 1 + len
end
local fresh = 0

local function judge(flat, rule, cid, gid, call_key, group_key)
  local rec = {}
  for i = 1, #flat, 2 do rec[flat[i]] = flat[i + 1] end
  local kind, value, unless, called, group, started, ended = unpack(rule, 1, 7)
  if rec[kind] ~= value or rec[unless] == '1' then return 'j' end
  local caller = nil
  for i = 8, #rule do
    if caller == nil and rec[rule[i]] ~= nil then caller = rec[rule[i]] end
  end
  if caller == nil or (rec[group] or 'default') ~= gid then return 'j' end
  if redis.call('EXISTS', call_key) == 1 then return 'd' end
  if redis.call('HEXISTS', group_key, 'created_at') == 0
      or redis.call('HGET', group_key, 'notify') ~= '1' then
    return 'j'  -- a new group is created and announced, a switched-off one counts: intake's
  end
  local payload = cjson.encode({call_id = cid, caller = caller, called = rec[called],
    group = rec[group], started_at = iso(rec[started]), ended_at = iso(rec[ended]),
    wait_seconds = span(rec[started], rec[ended])})
  local entry = {unpack(template)}
  entry[p] = cid
  record_call(KEYS[1], KEYS[2], call_key, now, dedup, gid, payload, cid, entry)
  fresh = fresh + 1
  return 'a'
end

local ttl, k, out = tonumber(ARGV[1]), 3, {}
while at <= #ARGV do
  local key = KEYS[k]
  local final, n, m = ARGV[at] == '1', tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  local rule = rules[tonumber(ARGV[at + 3])]
  at = at + 4
  if redis.call('HEXISTS', key, '_ended') == 0 then
    for i = 0, n - 1 do
      redis.call('HSETNX', key, ARGV[at + 2 * i], ARGV[at + 2 * i + 1])
    end
    for i = at + 2 * n, at + 2 * n + m - 1 do
      redis.call('HSET', key, ARGV[i], '1')
    end
    if final then
      redis.call('HSET', key, '_ended', '1')
    end
  end
  at = at + 2 * n + m
  redis.call('EXPIRE', key, ttl)
  if final then
    local flat = redis.call('HGETALL', key)
    local status = 'j'
    if rule ~= nil then
      status = judge(flat, rule, ARGV[at], ARGV[at + 1], KEYS[k + 1], KEYS[k + 2])
    end
    if status == 'j' then
      table.insert(flat, 1, status)
      out[#out + 1] = flat
    else
      out[#out + 1] = {status}
    end
  else
    out[#out + 1] = {}
  end
  if rule ~= nil then
    k, at = k + 3, at + 2
  else
    k = k + 1
  end
end
if fresh > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -kept - 1)
end
return out
"""
)


def _micros(text: str) -> int:
    return math.floor(float(text) * 1e6 + 0.5)


def _iso(text: str | None) -> datetime | None:
    """Epoch seconds text as a UTC time to the microsecond (the script's `iso`)."""
    return None if not text else EPOCH + timedelta(microseconds=_micros(text))


def _span(start: str | None, end: str | None) -> float | None:
    """Seconds from `start` to `end` (epoch texts), at most a day (the script's `span`)."""
    if not start or not end:
        return None
    seconds = (_micros(end) - _micros(start)) / 1e6
    return None if seconds < 0 else min(seconds, MAX_SPAN)


@dataclass(frozen=True, slots=True)
class MissedRule:
    """Which ended records are missed calls, and which of their fields make the CallEvent.

    A vendor declares it; the fold script applies it (see `_FOLD`) and `event` is the same rule
    in Python, for the endings the script leaves to its caller. Times are epoch seconds texts.
    """

    kind: tuple[str, str]  # (field, value) a missed call's record has, e.g. ("type", "incoming")
    unless: str  # the mark that makes it not missed, e.g. "connected"
    caller: tuple[str, ...]  # the caller is the first of these fields that is set
    called: str = ""
    group: str = ""  # a field holding a group id as the store takes it; unset: the default
    started: str = ""
    ended: str = ""

    def event(self, call_id: str, record: Mapping[str, str]) -> CallEvent | None:
        """The missed call this ended record is, or None when it is not one."""
        if record.get(self.kind[0]) != self.kind[1] or record.get(self.unless) == "1":
            return None
        caller = next((record[f] for f in self.caller if record.get(f)), None)
        if caller is None:
            return None
        start, end = record.get(self.started), record.get(self.ended)
        return CallEvent(
            call_id=call_id,
            caller=caller,
            called=record.get(self.called) or None,
            group=record.get(self.group) or None,
            started_at=_iso(start),
            ended_at=_iso(end),
            wait_seconds=_span(start, end),
        )

    def argv(self) -> list[str]:
        return [*self.kind, self.unless, self.called, self.group, self.started, self.ended,
                *self.caller]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Step:
    """One event of a call, as data: fields (first value wins), marks (sticky), end or not.

    An end step may carry the vendor's `missed` rule, for the script to judge it (see `_FOLD`).
    """

    call_id: str
    fields: Mapping[str, str] = field(default_factory=dict)
    marks: tuple[str, ...] = ()
    final: bool = False
    missed: MissedRule | None = None


class Judged(StrEnum):
    """What the fold script did with an ended record."""

    RECORDED = "a"  # a missed call, recorded and queued now
    DUPLICATE = "d"  # a missed call recorded before (a retried end)
    OPEN = "j"  # not judged: the caller decides (and accepts) the verdict


@dataclass(frozen=True, slots=True)
class Folded:
    """A step's answer: whether the script recorded the call as a missed call itself, and if
    not, the call's record at its end for the caller to judge (None while the call goes on)."""

    record: dict[str, str] | None = None
    judged: Judged = Judged.OPEN


class PbxCalls:
    """Folds a call's events into its record; a missed call by the step's rule is recorded."""

    def __init__(self, redis: Redis, calls: Calls, ttl: int = TTL_SECONDS) -> None:
        self._r = redis
        self._calls = calls
        self._ttl = ttl
        self._fold = redis.register_script(_FOLD)

    async def fold(self, tid: str, step: Step) -> Folded:
        """The ended record when `step` is (a retry of) the end event, and what became of it."""
        return (await self.fold_many(tid, [step]))[0]

    async def fold_many(self, tid: str, steps: Sequence[Step]) -> list[Folded]:
        """`fold` of each step, in order, in one script (one round trip, atomic as a whole).

        When it returns, every call it recorded is durable as `Calls.record_many` makes it
        (queued, the workers woken, on a replica where there is one)."""
        if not steps:
            return []
        template = fields_argv(CallEntry(tid, ""))
        args: list[object] = [self._ttl, self._calls.now(), DEDUP_SECONDS, RECENT_KEPT,
            len(template), template.index("call_id") + 2, *template]  # fmt: skip
        rules: dict[MissedRule, int] = {}
        for step in steps:
            if step.final and step.missed is not None:
                rules.setdefault(step.missed, len(rules) + 1)
        args.append(len(rules))
        for rule in rules:
            argv = rule.argv()
            args += [len(argv), *argv]
        names = [keys.calls(tid), keys.intake(tid)]
        for step in steps:
            pairs = [x for k, v in step.fields.items() if v for x in (k, v)]
            rule = rules.get(step.missed) if step.final and step.missed is not None else None
            args += [int(step.final), len(pairs) // 2, len(step.marks), rule or 0, *pairs,
                     *step.marks]  # fmt: skip
            names.append(keys.pbx_call(tid, step.call_id))
            if rule:
                gid = _group(step)
                args += [step.call_id, gid]
                names += [keys.call(tid, step.call_id), keys.group(tid, gid)]
        raw = await self._fold(keys=names, args=args)
        out = [_folded(one) for one in raw]
        recorded = any(f.judged is Judged.RECORDED for f in out)
        if recorded or any(f.judged is Judged.DUPLICATE for f in out):
            await self._calls.settle(tid, fresh=recorded)
        return out


def _group(step: Step) -> str:
    """The group the step names: the record's, unless an earlier event named another (the
    script then leaves the call to its caller)."""
    assert step.missed is not None
    return (step.fields.get(step.missed.group) if step.missed.group else "") or DEFAULT_GROUP


def _folded(raw: list) -> Folded:
    text = [x.decode() if isinstance(x, bytes) else str(x) for x in raw]
    if not text:
        return Folded()
    if len(text) == 1:
        return Folded(judged=Judged(text[0]))
    record = dict(zip(text[1::2], text[2::2], strict=True))
    record.pop(ENDED, None)
    return Folded(record, Judged(text[0]))
