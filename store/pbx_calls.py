"""Calls a PBX reports as a series of events: one record per call, folded until its end event.

Some vendors (Rostelecom VATS) never say "missed": only the sequence of a call's events does
(an end without a connect). The record lives under the tenant's tag with a TTL, so two ingest
processes receiving events of one call fold into the same record, and a vendor's retries are
harmless: the first value of each field wins, marks only ever get set, and once the end event
has been folded the record is frozen, so every retry of the end sees the same record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from redis.asyncio import Redis

from store import keys

# Long enough for the longest call the event schema admits (a day) plus the vendor's retries.
TTL_SECONDS = 2 * 86_400
ENDED = "_ended"

# KEYS[1] the record. ARGV: ttl, final (0/1), n, n field/value pairs, then the marks.
# Returns the whole record once it has ended (this event or an earlier one), else nil.
_FOLD = """
local ttl, final, n = tonumber(ARGV[1]), ARGV[2] == '1', tonumber(ARGV[3])
if redis.call('HEXISTS', KEYS[1], '_ended') == 0 then
  for i = 0, n - 1 do
    redis.call('HSETNX', KEYS[1], ARGV[4 + 2 * i], ARGV[5 + 2 * i])
  end
  for i = 4 + 2 * n, #ARGV do
    redis.call('HSET', KEYS[1], ARGV[i], '1')
  end
  if final then
    redis.call('HSET', KEYS[1], '_ended', '1')
  end
end
redis.call('EXPIRE', KEYS[1], ttl)
if redis.call('HEXISTS', KEYS[1], '_ended') == 1 and final then
  return redis.call('HGETALL', KEYS[1])
end
return false
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
        pairs = [x for k, v in step.fields.items() if v for x in (k, v)]
        args = [self._ttl, int(step.final), len(pairs) // 2, *pairs, *step.marks]
        raw = await self._fold(keys=[keys.pbx_call(tid, step.call_id)], args=args)
        if not raw:
            return None
        text = [x.decode() if isinstance(x, bytes) else str(x) for x in raw]
        record = dict(zip(text[::2], text[1::2], strict=True))
        record.pop(ENDED, None)
        return record
