"""A single Redis that ran the queue before its keys had the hash tag `{dlv}`."""

from __future__ import annotations

import asyncio

import pytest

from delivery import keys
from delivery.queue import Job, Kind
from delivery.scripts import PRELUDE
from delivery.upgrade import DONE, move_untagged_keys

pytestmark = pytest.mark.parametrize("redis_backend", ["fakeredis", "real-redis"])

# The older version's fan-out script, as it ran then (one script per entry, the marker "1").
OLD_FANOUT = r"""
local entry = ARGV[4]
local fresh = true
if entry ~= '' then
  fresh = redis.call('SET', P .. ':fanned:' .. ARGV[3] .. ':' .. entry, '1', 'NX', 'EX',
    tonumber(ARGV[5]))
end
local n = 0
if fresh then
  n = tonumber(ARGV[6])
  local seq = n > 0 and (redis.call('INCRBY', P .. ':seq', n) - n) or 0
  local lane_bot, lane_tid, run = nil, nil, {}
  local function flush()
    if #run > 0 then
      redis.call('RPUSH', P .. ':q:' .. lane_bot .. ':' .. lane_tid, unpack(run))
      schedule(lane_bot, lane_tid, now)
      run = {}
    end
  end
  local i = 8
  for _ = 1, tonumber(ARGV[7]) do
    local tid, data, k = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
    i = i + 3
    for _ = 1, k do
      local bot, chat = ARGV[i], ARGV[i + 1]
      i = i + 2
      seq = seq + 1
      local jid = string.format('%012d', seq)
      redis.call('HSET', P .. ':job:' .. jid, 'b', bot, 't', tid, 'c', chat, 'd', data)
      if bot ~= lane_bot or tid ~= lane_tid or #run >= 500 then
        flush()
        lane_bot, lane_tid = bot, tid
      end
      run[#run + 1] = jid
    end
  end
  flush()
end
return n
"""


async def _queue_as_before(redis, jobs: list[Job], entry: str = "") -> None:
    """What an older version left: the same layout under the untagged prefix `pz:dlv`."""
    old = redis.register_script(PRELUDE + OLD_FANOUT)
    flat: list[object] = []
    for job in jobs:
        flat += [job.tid, job.data(), 1, job.bot, job.chat]
    await old(keys=[], args=[keys.OLD_P, "", "s", entry, 3600, len(jobs), len(jobs), *flat])


async def test_jobs_queued_before_the_upgrade_are_delivered_once(world, make_engine):
    redis, tid, bot = world.store.redis, world.tenant.id, world.default["id"]
    a, b = await world.subscriber("A"), await world.subscriber("B")
    jobs = [Job("", bot, tid, chat, Kind.SERVICE, f"before {chat}") for chat in (a, b)]
    await _queue_as_before(redis, jobs, entry="5-0")
    assert await redis.exists(f"{keys.OLD_P}:q:{bot}:{tid}")
    engine = await make_engine()
    for chat in (a, b):
        [msg] = await world.tg.wait_for_messages(chat, 1)
        assert msg["text"] == f"before {chat}"
    await world.idle(engine)
    assert [k async for k in redis.scan_iter(match=f"{keys.OLD_P}:*")] == []
    # The entry's marker moved with the rest: its fan-out, read again, queues nothing.
    assert await redis.exists(keys.fanned("s", "5-0"))
    # Moved once: a key of the old name written later stays where it is.
    await redis.set(f"{keys.OLD_P}:seq", "1")
    assert await redis.get(DONE)
    assert await move_untagged_keys(redis) == 0
    assert await redis.get(f"{keys.OLD_P}:seq") == "1"
    for chat in (a, b):
        assert len(await world.tg.messages(chat)) == 1


async def test_two_starting_workers_move_the_keys_once(redis):
    jobs = [Job("", 7000, "1", chat, Kind.SERVICE, "x") for chat in (1, 2, 3)]
    await _queue_as_before(redis, jobs)
    before = sorted([k async for k in redis.scan_iter(match=f"{keys.OLD_P}:*")])
    moved = await asyncio.gather(move_untagged_keys(redis), move_untagged_keys(redis))
    assert sorted(moved) == [0, len(before)]
    after = sorted([k async for k in redis.scan_iter(match=f"{keys.P}:*")])
    renamed = sorted(f"{keys.P}:{k[len(keys.OLD_P) + 1 :]}" for k in before)
    assert set(renamed) <= set(after)
    assert await redis.llen(keys.lane(7000, "1")) == 3
