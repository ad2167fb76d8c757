"""The Lua side of the job queue: each step is one atomic script, so workers never race.

Layout (prefix P = "pz:dlv"): a job is a hash P:job:<jid> {b: bot id, t: tenant, c: chat,
d: JSON}. Ready jobs wait in a FIFO lane per (bot, tenant) P:q:<bot>:<tid>; jobs held back by
a chat's limit or a retry back-off wait in P:later:<bot>:<tid> (score = due ms). P:lanes:<bot>
orders a bot's lanes for round-robin (score = last served, or due time); P:bots orders bots by
the time they may send again. A claimed job sits in P:inflight:<consumer> until it is acked,
deferred, re-queued or dead-lettered; a dead consumer's jobs go back to the head of their lanes.
Times come from Redis (TIME), so every worker shares one clock. Keys are built inside the
scripts: this layout wants one Redis (or a primary with replicas), not Redis Cluster.
"""

from __future__ import annotations

PRELUDE = r"""
local P = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function schedule(bot, tid, at)
  redis.call('ZADD', P .. ':lanes:' .. bot, 'LT', at, tid)
  redis.call('ZADD', P .. ':bots', 'LT', at, bot)
end
local function owned(consumer, jid)
  return redis.call('HDEL', P .. ':inflight:' .. consumer, jid) == 1
end
-- Every job `consumer` holds goes back to the head of its lane; returns how many.
local function hand_back(consumer)
  local key = P .. ':inflight:' .. consumer
  local moved = 0
  for _, jid in ipairs(redis.call('HKEYS', key)) do
    local bt = redis.call('HMGET', P .. ':job:' .. jid, 'b', 't')
    if bt[1] then
      redis.call('LPUSH', P .. ':q:' .. bt[1] .. ':' .. bt[2], jid)
      schedule(bt[1], bt[2], now)
      moved = moved + 1
    end
  end
  redis.call('DEL', key)
  return moved
end
"""

# ARGV: P, stream, group, entry id ('' = none), marker ttl s, n jobs, g groups, then per group:
# tid, data, k, then k x (bot, chat). A group is one message to many chats (its data is sent
# once); the copies of one lane that come one after another go in with one RPUSH.
FANOUT = r"""
local entry = ARGV[4]
local fresh = true
if entry ~= '' then
  fresh = redis.call('SET', P .. ':fanned:' .. entry, '1', 'NX', 'EX', tonumber(ARGV[5]))
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
if entry ~= '' then
  redis.call('XACK', ARGV[2], ARGV[3], entry)
  redis.call('XDEL', ARGV[2], entry)
end
return n
"""

# ARGV: P, consumer, bot interval ms, bot burst, private interval, burst, group interval, burst,
# budget (jobs looked at), max (jobs taken). Takes up to `max` jobs in the order single claims
# would, in one round trip: bots by due time, each bot's due lanes round-robin, at most one job
# per lane per call (a served lane goes to the back of the round). Returns
# {wait ms (-1: nothing queued; 0: look again now), then jid, bot, tid, chat, data per job}.
CLAIM = r"""
local function gcra(key, iv, burst)
  local tat = tonumber(redis.call('GET', key) or '0') or 0
  if tat < now then tat = now end
  local wait = tat - iv * (burst - 1) - now
  if wait > 0 then return wait, tat end
  return 0, tat
end
local function take(key, tat, iv)
  local new = tat + iv
  redis.call('SET', key, string.format('%.3f', new), 'PX', math.ceil(new - now) + 1000)
end
local BOTS = P .. ':bots'
local INFLIGHT = P .. ':inflight:' .. ARGV[2]
local bi, bb = tonumber(ARGV[3]), tonumber(ARGV[4])
local pi, pb = tonumber(ARGV[5]), tonumber(ARGV[6])
local gi, gb = tonumber(ARGV[7]), tonumber(ARGV[8])
local budget = tonumber(ARGV[9])
local maxn = tonumber(ARGV[10])
local out = {0}
local taken = 0
local exhausted = false
local bots = redis.call('ZRANGEBYSCORE', BOTS, '-inf', now, 'LIMIT', 0, 64)
for _, bot in ipairs(bots) do
  if taken >= maxn or exhausted then break end
  local paused = redis.call('PTTL', P .. ':pause:' .. bot)
  local bkey = P .. ':rl:' .. bot
  local bwait, btat = gcra(bkey, bi, bb)
  if paused > 0 then
    redis.call('ZADD', BOTS, now + paused, bot)
  elseif bwait > 0 then
    redis.call('ZADD', BOTS, now + bwait, bot)
  else
    local LANES = P .. ':lanes:' .. bot
    local lanes = redis.call('ZRANGEBYSCORE', LANES, '-inf', now, 'LIMIT', 0, 64)
    for _, tid in ipairs(lanes) do
      if taken >= maxn or bwait > 0 then break end
      local q = P .. ':q:' .. bot .. ':' .. tid
      local later = P .. ':later:' .. bot .. ':' .. tid
      local due = redis.call('ZRANGEBYSCORE', later, '-inf', now, 'LIMIT', 0, 64)
      if #due > 0 then
        for i = #due, 1, -1 do redis.call('LPUSH', q, due[i]) end
        redis.call('ZREM', later, unpack(due))
      end
      local served = false
      while true do
        if budget <= 0 then exhausted = true break end
        local jid = redis.call('LINDEX', q, 0)
        if not jid then break end
        budget = budget - 1
        redis.call('LPOP', q)
        local cd = redis.call('HMGET', P .. ':job:' .. jid, 'c', 'd')
        local chat = cd[1]
        if chat then
          local ckey = P .. ':rl:' .. bot .. ':' .. chat
          local ci, cb = pi, pb
          if tonumber(chat) < 0 then ci, cb = gi, gb end
          local cwait, ctat = gcra(ckey, ci, cb)
          if cwait > 0 then
            redis.call('ZADD', later, now + cwait, jid)
          else
            take(bkey, btat, bi)
            take(ckey, ctat, ci)
            redis.call('HSET', INFLIGHT, jid, now)
            -- to the back of the round: a serial fraction orders lanes served in one ms
            local serial = redis.call('INCR', P .. ':rr') % 1000
            redis.call('ZADD', LANES, string.format('%.3f', now + serial / 1000), tid)
            out[#out + 1] = jid
            out[#out + 1] = bot
            out[#out + 1] = tid
            out[#out + 1] = chat
            out[#out + 1] = cd[2]
            taken = taken + 1
            served = true
            bwait, btat = gcra(bkey, bi, bb)
            break
          end
        end
      end
      if exhausted then break end
      if not served then
        local nxt = redis.call('ZRANGE', later, 0, 0, 'WITHSCORES')
        if #nxt == 0 then
          redis.call('ZREM', LANES, tid)
        else
          redis.call('ZADD', LANES, nxt[2], tid)
        end
      end
    end
    if exhausted then break end
    local first = redis.call('ZRANGE', LANES, 0, 0, 'WITHSCORES')
    if #first == 0 then
      redis.call('ZREM', BOTS, bot)
    else
      local at = tonumber(first[2])
      if bwait > 0 and now + bwait > at then at = now + bwait end
      if at < now then at = now end
      redis.call('ZADD', BOTS, at, bot)
    end
  end
end
if exhausted or taken >= maxn then return out end
local first = redis.call('ZRANGE', BOTS, 0, 0, 'WITHSCORES')
if #first == 0 then
  out[1] = -1
  return out
end
local wait = tonumber(first[2]) - now
if wait < 0 then wait = 0 end
out[1] = math.ceil(wait)
return out
"""

# ARGV: P, consumer, jid... Done: forget the jobs (even if a reaper had handed them back).
ACK = r"""
local inflight = P .. ':inflight:' .. ARGV[2]
local n = 0
for i = 3, #ARGV do
  redis.call('HDEL', inflight, ARGV[i])
  n = n + redis.call('DEL', P .. ':job:' .. ARGV[i])
end
return n
"""

# ARGV: P, consumer, jid, bot, tid, chat, data, front ('1' head / '0' tail), delay ms
REQUEUE = r"""
local jid = ARGV[3]
if not owned(ARGV[2], jid) then return 0 end
local key = P .. ':job:' .. jid
if redis.call('EXISTS', key) == 0 then return 0 end
local bot, tid = ARGV[4], ARGV[5]
redis.call('HSET', key, 'b', bot, 't', tid, 'c', ARGV[6], 'd', ARGV[7])
local delay = tonumber(ARGV[9])
if delay > 0 then
  redis.call('ZADD', P .. ':later:' .. bot .. ':' .. tid, now + delay, jid)
  schedule(bot, tid, now + delay)
else
  if ARGV[8] == '1' then
    redis.call('LPUSH', P .. ':q:' .. bot .. ':' .. tid, jid)
  else
    redis.call('RPUSH', P .. ':q:' .. bot .. ':' .. tid, jid)
  end
  schedule(bot, tid, now)
end
return 1
"""

# ARGV: P, consumer, jid. Give a claim back untouched (its send failed on our side).
RELEASE = r"""
local jid = ARGV[3]
if not owned(ARGV[2], jid) then return 0 end
local bt = redis.call('HMGET', P .. ':job:' .. jid, 'b', 't')
if not bt[1] then return 0 end
redis.call('LPUSH', P .. ':q:' .. bt[1] .. ':' .. bt[2], jid)
schedule(bt[1], bt[2], now)
return 1
"""

# ARGV: P, consumer, jid, data, cap (dead letters kept per tenant)
BURY = r"""
local jid = ARGV[3]
if not owned(ARGV[2], jid) then return 0 end
local key = P .. ':job:' .. jid
local tid = redis.call('HGET', key, 't')
if not tid then return 0 end
redis.call('HSET', key, 'd', ARGV[4])
local dead = P .. ':dead:' .. tid
redis.call('ZADD', dead, now, jid)
redis.call('SADD', P .. ':dead_tenants', tid)
local extra = redis.call('ZCARD', dead) - tonumber(ARGV[5])
if extra > 0 then
  local popped = redis.call('ZPOPMIN', dead, extra)
  for i = 1, #popped, 2 do redis.call('DEL', P .. ':job:' .. popped[i]) end
end
return 1
"""

# ARGV: P, tid, jid, data. A dead letter goes back to the tail of its lane.
REVIVE = r"""
local tid, jid = ARGV[2], ARGV[3]
if redis.call('ZREM', P .. ':dead:' .. tid, jid) == 0 then return 0 end
local key = P .. ':job:' .. jid
local bot = redis.call('HGET', key, 'b')
if not bot then return 0 end
redis.call('HSET', key, 'd', ARGV[4])
redis.call('RPUSH', P .. ':q:' .. bot .. ':' .. tid, jid)
schedule(bot, tid, now)
return 1
"""

# ARGV: P, consumer, lease ms. Renew our lease; hand back the jobs of every expired consumer.
LEASE = r"""
local me = ARGV[2]
redis.call('ZADD', P .. ':consumers', now + tonumber(ARGV[3]), me)
local expired = redis.call('ZRANGEBYSCORE', P .. ':consumers', '-inf', now)
local moved = 0
for _, c in ipairs(expired) do
  if c ~= me then
    moved = moved + hand_back(c)
    redis.call('ZREM', P .. ':consumers', c)
  end
end
return moved
"""

# ARGV: P, consumer. Our own earlier life's claims (after a crash or a stop) go back.
RECLAIM = r"""
return hand_back(ARGV[2])
"""

# ARGV: P. Jobs queued (ready or waiting), in flight, and dead letters.
DEPTH = r"""
local queued, waiting, inflight, dead = 0, 0, 0, 0
for _, bot in ipairs(redis.call('ZRANGE', P .. ':bots', 0, -1)) do
  for _, tid in ipairs(redis.call('ZRANGE', P .. ':lanes:' .. bot, 0, -1)) do
    queued = queued + redis.call('LLEN', P .. ':q:' .. bot .. ':' .. tid)
    waiting = waiting + redis.call('ZCARD', P .. ':later:' .. bot .. ':' .. tid)
  end
end
for _, c in ipairs(redis.call('ZRANGE', P .. ':consumers', 0, -1)) do
  inflight = inflight + redis.call('HLEN', P .. ':inflight:' .. c)
end
for _, tid in ipairs(redis.call('SMEMBERS', P .. ':dead_tenants')) do
  dead = dead + redis.call('ZCARD', P .. ':dead:' .. tid)
end
return {queued, waiting, inflight, dead}
"""

SCRIPTS = {
    "fanout": FANOUT,
    "claim": CLAIM,
    "ack": ACK,
    "requeue": REQUEUE,
    "release": RELEASE,
    "bury": BURY,
    "revive": REVIVE,
    "lease": LEASE,
    "reclaim": RECLAIM,
    "depth": DEPTH,
}
