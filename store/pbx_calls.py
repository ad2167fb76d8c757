"""Calls a PBX reports as a series of events: one record per call, folded until its end event.

Some vendors (Rostelecom VATS) never say "missed": only the sequence of a call's events does
(an end without a connect). The record lives under the tenant's tag with a TTL, so two ingest
processes receiving events of one call fold into the same record, and a vendor's retries are
harmless: the first value of each field wins, marks only ever get set, and once the end event
has been folded the record is frozen, so every retry of the end sees the same record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from redis.asyncio import Redis

from store import keys

# Long enough for the longest call the event schema admits (a day) plus the vendor's retries.
TTL_SECONDS = 2 * 86_400
ENDED = "_ended"

# KEYS[i] the record of the i-th step (one tenant's, so one slot). ARGV: ttl, then per step:
# final (0/1), n, m, n field/value pairs, m marks. Returns per step the whole record (with
# `_ended`) once it has ended and the step is (a retry of) its end, else an empty list. The
# steps are folded in order, so two steps of one call in one batch fold as if sent apart.
_FOLD = """
local ttl, at, out = tonumber(ARGV[1]), 2, {}
for k = 1, #KEYS do
  local key = KEYS[k]
  local final, n, m = ARGV[at] == '1', tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  at = at + 3
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
    out[k] = redis.call('HGETALL', key)
  else
    out[k] = {}
  end
end
return out
"""


@dataclass(frozen=True, slots=True)
class Step:
    """One event of a call, as data: fields (first value wins), marks (sticky), end or not."""

    call_id: str
    fields: Mapping[str, str] = field(default_factory=dict)
    marks: tuple[str, ...] = ()
    final: bool = False


class PbxCalls:
    """Folds a call's events into its record; the caller judges the record at the end."""

    def __init__(self, redis: Redis, ttl: int = TTL_SECONDS) -> None:
        self._r = redis
        self._ttl = ttl
        self._fold = redis.register_script(_FOLD)

    async def fold(self, tid: str, step: Step) -> dict[str, str] | None:
        """The ended record when `step` is (a retry of) the end event, else None."""
        return (await self.fold_many(tid, [step]))[0]

    async def fold_many(self, tid: str, steps: Sequence[Step]) -> list[dict[str, str] | None]:
        """`fold` of each step, in order, in one script (one round trip, atomic as a whole)."""
        if not steps:
            return []
        args: list[object] = [self._ttl]
        for step in steps:
            pairs = [x for k, v in step.fields.items() if v for x in (k, v)]
            args += [int(step.final), len(pairs) // 2, len(step.marks), *pairs, *step.marks]
        names = [keys.pbx_call(tid, step.call_id) for step in steps]
        raw = await self._fold(keys=names, args=args)
        return [_record(one) for one in raw]


def _record(raw: list) -> dict[str, str] | None:
    text = [x.decode() if isinstance(x, bytes) else str(x) for x in raw]
    record = dict(zip(text[::2], text[1::2], strict=True))
    if record.pop(ENDED, None) is None:
        return None
    return record
