"""The Lua side of the job queue: each step is one atomic script, so workers never race.

Layout (prefix P = "pz:{dlv}"): a job is a hash P:job:<jid> {b: bot id, t: tenant, c: chat, d:
JSON}, or, for a copy of a message to many chats, {b, t, c, r: ref} with the JSON once in
P:data:<ref> {d: JSON, n: jobs using it} (the last of them to go deletes it). Ready jobs wait
in a FIFO lane per (bot, tenant) P:q:<bot>:<tid>; jobs held back by a chat's limit or a retry
back-off wait in P:later:<bot>:<tid> (score = due ms). P:lanes:<bot> orders a bot's lanes for
round-robin (score = last served, or due time); P:bots orders bots by the time they may send
again. A claimed job sits in P:inflight:<consumer> until it is acked, deferred, re-queued or
dead-lettered; a dead consumer's jobs go back to the head of their lanes.
Times come from Redis (TIME), so every worker shares one clock; every script takes the time as
its second argument instead when one is given (tests drive a clock).

Redis Cluster: every key of the queue carries the hash tag `{dlv}`, so all of them sit in one
slot. Each call passes one key of that slot as KEYS[1] (it routes the script to the slot's
node); the scripts build the other keys they touch from P = ARGV[1] — the same slot, so each
script stays single-slot. No script touches a key outside the slot: the FANOUT script leaves
the tenant's intake stream to a step of its own (delivery/queue.py `JobQueue.enqueue`).
"""

from __future__ import annotations

PRELUDE = r"""
local P = ARGV[1]
local now
if ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function schedule(bot, tid, at)
  redis.call('ZADD', P .. ':lanes:' .. bot, 'LT', at, tid)
  redis.call('ZADD', P .. ':bots', 'LT', at, bot)
end
-- The job `key` lets go of the data it shares (a requeue or a burial stores its own first).
local function unref(key)
  local ref = redis.call('HGET', key, 'r')
  if ref then
    redis.call('HDEL', key, 'r')
    local dk = P .. ':data:' .. ref
    if redis.call('HINCRBY', dk, 'n', -1) <= 0 then redis.call('DEL', dk) end
  end
end
local function owned(consumer, jid)
  return redis.call('HDEL', P .. ':inflight:' .. consumer, jid) == 1
end
-- Back towards the head of lane q, before the first job accepted after it (jids grow with
-- acceptance), so jobs handed back in any order leave in the order they were accepted.
local function to_head(q, jid)
  local head = redis.call('LRANGE', q, 0, 63)
  for _, other in ipairs(head) do
    if other > jid then
      redis.call('LINSERT', q, 'BEFORE', other, jid)
      return
    end
  end
  if #head < 64 then
    redis.call('RPUSH', q, jid)
  else
    redis.call('LPUSH', q, jid)
  end
end
-- Every job `consumer` holds goes back to the head of its lane; returns how many.
local function hand_back(consumer)
  local key = P .. ':inflight:' .. consumer
  local moved = 0
  for _, jid in ipairs(redis.call('HKEYS', key)) do
    local bt = redis.call('HMGET', P .. ':job:' .. jid, 'b', 't')
    if bt[1] then
      to_head(P .. ':q:' .. bt[1] .. ':' .. bt[2], jid)
      schedule(bt[1], bt[2], now)
      moved = moved + 1
    end
  end
  redis.call('DEL', key)
  return moved
end
-- GCRA: the earliest time (ms) a send may go under (interval, burst), and the stored TAT.
local function earliest(key, iv, burst)
  local tat = tonumber(redis.call('GET', key) or '0') or 0
  if tat < now then tat = now end
  local at = tat - iv * (burst - 1)
  if at < now then at = now end
  return at, tat
end
-- Take one token for a send at time `at` (>= the earliest).
local function take(key, tat, iv, at)
  if tat < at then tat = at end
  local new = tat + iv
  redis.call('SET', key, string.format('%.3f', new), 'PX', math.ceil(new - now) + 1000)
end
-- ms until a paused bot may send again (0: not paused); the pause key holds its end time.
local function paused(bot)
  local v = redis.call('GET', P .. ':pause:' .. bot)
  if not v then return 0 end
  local rest = (tonumber(v) or 0) - now
  if rest < 0 then return 0 end
  return rest
end
local function pause_until(bot, at)
  local key = P .. ':pause:' .. bot
  local v = tonumber(redis.call('GET', key) or '0') or 0
  if v < at then
    redis.call('SET', key, string.format('%.3f', at), 'PX', math.ceil(at - now) + 1000)
  end
end
-- Telegram answered a send of `bot`: close its breaker (and the pause it set).
local function close(bot)
  if redis.call('DEL', P .. ':brk:' .. bot) == 0 then return 0 end
  redis.call('DEL', P .. ':pause:' .. bot)
  redis.call('ZADD', P .. ':bots', 'LT', now, bot)
  return 1
end
-- A bot's send interval now: its own rate (or the default), slowed after a 429 and
-- recovering linearly; and whether it sends paid broadcasts. `keep` is 1 - margin, `keep_paid`
-- 1 - the paid margin (a paid broadcast's window leaves room for the bot's replies: its slots
-- are spaced below that window's count, so waits for it stay rare).
local function pace(bot, default_iv, keep, recover, keep_paid)
  local h = redis.call('HMGET', P .. ':pace:' .. bot, 'rate', 'paid')
  local iv = default_iv
  if h[1] then
    if h[2] == '1' then keep = keep_paid end
    iv = 1000 / (tonumber(h[1]) * keep)
  end
  local s = redis.call('HMGET', P .. ':slow:' .. bot, 'f', 't')
  if s[1] then
    local f = tonumber(s[1]) + (now - tonumber(s[2])) * recover
    if f < 1 then iv = iv / f end
  end
  return iv, h[2] == '1'
end
"""

# KEYS: the entry's marker P:fanned:<stream>:<entry> and its set P:fanning:<stream>:<entry>
# (no entry: P:seq alone). ARGV: P, now, stream, entry id ('' = none), marker ttl s, last ('1':
# the entry's last chunk), v variants, then v x (tid, data, ref), then the copies as one string
# of lines "<variant> <bot> <chat> <k>". A variant is one message to many chats (its data is
# sent once per chunk; with a ref ('' = none) its jobs share it in P:data:<ref> instead of a copy
# each); k numbers the copies of one chat within the entry (0, 1, ...). One call is one chunk:
# a big fan-out runs as many bounded scripts (delivery/queue.py `FANOUT_CHUNK`), so none blocks
# Redis for long.
# Idempotence: the set holds "<chat> <k>" of every copy queued so far, and a copy found there is
# skipped, so a re-run after a crash between chunks queues only the rest, whatever the follower
# list and its order are by then; the last chunk replaces the set by the marker ("1"), and with
# the marker every later call is a no-op. Returns how many jobs it created, or -1 when the
# entry was fanned out already. The XACK + XDEL of the tenant's stream (another slot) follow as
# a step of their own.
FANOUT = r"""
local entry = ARGV[4]
if entry ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local tids, datas, refs, used = {}, {}, {}, {}
local i = 8
for j = 1, tonumber(ARGV[7]) do
  tids[j], datas[j], refs[j], used[j] = ARGV[i], ARGV[i + 1], ARGV[i + 2], 0
  i = i + 3
end
local copies = {}
for vi, bot, chat, k in string.gmatch(ARGV[i], '(%d+) (%d+) (%-?%d+) (%d+)') do
  if entry == '' or redis.call('SADD', KEYS[2], chat .. ' ' .. k) == 1 then
    copies[#copies + 1] = {tonumber(vi), bot, chat}
  end
end
local n = #copies
if n > 0 then
  local seq = redis.call('INCRBY', P .. ':seq', n) - n
  -- one RPUSH per lane (in pieces: unpack's stack is bounded), its jobs in acceptance order
  local runs, lanes = {}, {}
  for _, cp in ipairs(copies) do
    seq = seq + 1
    local jid = string.format('%012d', seq)
    local vi, bot = cp[1], cp[2]
    local tid = tids[vi]
    if refs[vi] ~= '' then
      redis.call('HSET', P .. ':job:' .. jid, 'b', bot, 't', tid, 'c', cp[3], 'r', refs[vi])
      used[vi] = used[vi] + 1
    else
      redis.call('HSET', P .. ':job:' .. jid, 'b', bot, 't', tid, 'c', cp[3], 'd', datas[vi])
    end
    local lane = bot .. ':' .. tid
    local run = runs[lane]
    if not run then
      run = {}
      runs[lane] = run
      lanes[#lanes + 1] = {bot, tid, lane}
    end
    run[#run + 1] = jid
  end
  for vi, count in ipairs(used) do
    if count > 0 then
      local dk = P .. ':data:' .. refs[vi]
      redis.call('HSETNX', dk, 'd', datas[vi])
      redis.call('HINCRBY', dk, 'n', count)
    end
  end
  for _, l in ipairs(lanes) do
    local run = runs[l[3]]
    for s = 1, #run, 500 do
      redis.call('RPUSH', P .. ':q:' .. l[3], unpack(run, s, math.min(s + 499, #run)))
    end
    schedule(l[1], l[2], now)
  end
end
if entry ~= '' then
  local ttl = tonumber(ARGV[5])
  if ARGV[6] == '1' then
    redis.call('SET', KEYS[1], '1', 'EX', ttl)
    redis.call('UNLINK', KEYS[2])  -- freed off the main thread: it may hold 100,000 members
  else
    redis.call('EXPIRE', KEYS[2], ttl)
  end
end
return n
"""

# KEYS: a tenant's intake stream; ARGV: group, entry id. The second step of a fan-out, in the
# tenant's slot (the jobs are in the queue's): ack the entry and delete it.
ACK_ENTRY = r"""
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
"""

# ARGV: P, now, consumer, default bot interval ms, bot burst, private interval, burst, group
# interval, burst, keep (1 - margin), recovery per ms, paid keep (1 - paid margin), budget
# (jobs looked at), max (jobs taken), ahead ms, probe ms. Takes up to `max` jobs in the order
# single claims would, in one round trip: bots by due time; each bot's due lanes round-robin,
# one job per lane per round and as many rounds as the bot's budget allows within `ahead` ms.
# Each job gets its send slot: the bot's slots are spaced by its interval (burst 1 by default),
# a chat's slot must not be later than the bot's (else the job waits in `later`, and later jobs
# of that chat wait behind it, as their slot is the same). A bot whose breaker is due gets ONE
# job, its probe. Returns {wait ms (-1: nothing queued; 0: look again now), the script's now
# (ms), then per job: jid, bot, tid, chat, data, delay ms from that now until its slot, paid
# ('1': allow_paid_broadcast)}.
CLAIM = r"""
local BOTS = P .. ':bots'
local INFLIGHT = P .. ':inflight:' .. ARGV[3]
local default_iv, bb = tonumber(ARGV[4]), tonumber(ARGV[5])
local pi, pb = tonumber(ARGV[6]), tonumber(ARGV[7])
local gi, gb = tonumber(ARGV[8]), tonumber(ARGV[9])
local keep, recover, keep_paid = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
local budget = tonumber(ARGV[13])
local maxn = tonumber(ARGV[14])
-- a hundredth of a ms of slack: stored times are rounded to a thousandth
local ahead = tonumber(ARGV[15]) + 0.01
local probe_ms = tonumber(ARGV[16])
local out = {0, string.format('%.3f', now)}
local taken = 0
local exhausted = false
local bots = redis.call('ZRANGEBYSCORE', BOTS, '-inf', now, 'LIMIT', 0, 64)
for _, bot in ipairs(bots) do
  if taken >= maxn or exhausted then break end
  local held = paused(bot)
  local probing = held <= 0 and redis.call('EXISTS', P .. ':brk:' .. bot) == 1
  local bkey = P .. ':rl:' .. bot
  local bi, paid = pace(bot, default_iv, keep, recover, keep_paid)
  local bat, btat = earliest(bkey, bi, bb)
  if held > 0 then
    redis.call('ZADD', BOTS, now + held, bot)
  elseif bat - now > ahead then
    redis.call('ZADD', BOTS, bat - ahead, bot)
  else
    local room = maxn - taken
    if probing then room = 1 end
    local mine = 0
    local LANES = P .. ':lanes:' .. bot
    local lanes = redis.call('ZRANGEBYSCORE', LANES, '-inf', now, 'LIMIT', 0, 64)
    local open = {}
    for i, tid in ipairs(lanes) do
      open[i] = true
      local later = P .. ':later:' .. bot .. ':' .. tid
      -- ALL that fall due within this claim go back, oldest first: a part left behind would
      -- leave after the later jobs of its chat that go back to `later` with a new time. Each
      -- goes before the first job accepted after it: one handed back to the head meanwhile
      -- (a failed send) may be older.
      local due = redis.call('ZRANGEBYSCORE', later, '-inf', now + ahead)
      if #due > 0 then
        local q = P .. ':q:' .. bot .. ':' .. tid
        for k = #due, 1, -1 do
          local head = redis.call('LINDEX', q, 0)
          if not head or head > due[k] then
            redis.call('LPUSH', q, due[k])
          else
            to_head(q, due[k])
          end
        end
        redis.call('ZREM', later, unpack(due))
      end
    end
    local progressed = true
    while progressed and mine < room and bat - now <= ahead and not exhausted do
      progressed = false
      for i, tid in ipairs(lanes) do
        if mine >= room or bat - now > ahead then break end
        if open[i] then
          local q = P .. ':q:' .. bot .. ':' .. tid
          local later = P .. ':later:' .. bot .. ':' .. tid
          local served = false
          while true do
            if budget <= 0 then exhausted = true break end
            local jid = redis.call('LPOP', q)
            if not jid then break end
            budget = budget - 1
            local cd = redis.call('HMGET', P .. ':job:' .. jid, 'c', 'd', 'r')
            local chat = cd[1]
            if chat and not cd[2] then
              -- a fan-out's copy: the data its message shares (never gone while it is used)
              cd[2] = cd[3] and redis.call('HGET', P .. ':data:' .. cd[3], 'd')
              if not cd[2] then
                redis.call('DEL', P .. ':job:' .. jid)
                chat = nil
              end
            end
            if chat then
              local ckey = P .. ':rl:' .. bot .. ':' .. chat
              local ci, cb = pi, pb
              if tonumber(chat) < 0 then ci, cb = gi, gb end
              local cat, ctat = earliest(ckey, ci, cb)
              -- a job of this chat waiting for a retry holds the chat's later ones
              local hold = tonumber(redis.call('GET', P .. ':hold:' .. bot .. ':' .. chat) or '0')
              if hold and hold > cat then cat = hold end
              if cat > bat + 0.01 then
                redis.call('ZADD', later, cat, jid)
              else
                take(bkey, btat, bi, bat)
                take(ckey, ctat, ci, bat)
                redis.call('HSET', INFLIGHT, jid, now)
                -- to the back of the round: a serial fraction orders lanes served in one ms
                local serial = redis.call('INCR', P .. ':rr') % 1000
                redis.call('ZADD', LANES, string.format('%.3f', now + serial / 1000), tid)
                out[#out + 1] = jid
                out[#out + 1] = bot
                out[#out + 1] = tid
                out[#out + 1] = chat
                out[#out + 1] = cd[2]
                out[#out + 1] = string.format('%.3f', bat - now)
                out[#out + 1] = paid and '1' or '0'
                taken = taken + 1
                mine = mine + 1
                served = true
                progressed = true
                bat, btat = earliest(bkey, bi, bb)
                break
              end
            end
          end
          if exhausted then break end
          if not served then
            open[i] = false
            local nxt = redis.call('ZRANGE', later, 0, 0, 'WITHSCORES')
            if #nxt == 0 then
              redis.call('ZREM', LANES, tid)
            else
              redis.call('ZADD', LANES, nxt[2], tid)
            end
          end
        end
      end
    end
    if probing and mine > 0 then
      -- the probe is out: hold the token until its answer closes or re-opens the breaker
      redis.call('HSET', P .. ':brk:' .. bot, 'state', 'probe')
      pause_until(bot, now + probe_ms)
    end
    local first = redis.call('ZRANGE', LANES, 0, 0, 'WITHSCORES')
    if #first == 0 then
      redis.call('ZREM', BOTS, bot)
    else
      local at = tonumber(first[2])
      if probing and mine > 0 then at = now + probe_ms end
      if bat - ahead > at then at = bat - ahead end
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

# ARGV: P, now, bot, chat ('' = none), default bot interval, bot burst, private interval,
# burst, group interval, burst, keep, recovery per ms, paid keep. A reply from a bot's handler
# takes the same tokens as the engine (one budget per token across processes). Returns {1, ms
# until the slot reserved for it, now} or, when the bot is paused or the chat's slot is later
# than the bot's (nothing is taken then: the bot's budget stays for others), {0, ms to wait
# before asking again, now}; `now` (ms) is the time the wait counts from.
ACQUIRE = r"""
local bot, chat = ARGV[3], ARGV[4]
local held = paused(bot)
if held > 0 then return {0, string.format('%.3f', held), string.format('%.3f', now)} end
local bi = pace(bot, tonumber(ARGV[5]), tonumber(ARGV[11]), tonumber(ARGV[12]),
  tonumber(ARGV[13]))
local bkey = P .. ':rl:' .. bot
-- A reply carries no allow_paid_broadcast: Telegram counts it at the ordinary rate even for a
-- bot with a paid one (its slot still comes from the bot's one budget, beside the broadcast).
if redis.call('HGET', P .. ':pace:' .. bot, 'paid') == '1' then
  bi = math.max(bi, tonumber(ARGV[5]))
end
local at, btat = earliest(bkey, bi, tonumber(ARGV[6]))
local ckey, ctat, ci
if chat ~= '' then
  ci = tonumber(ARGV[7])
  local cb = tonumber(ARGV[8])
  if tonumber(chat) < 0 then ci, cb = tonumber(ARGV[9]), tonumber(ARGV[10]) end
  ckey = P .. ':rl:' .. bot .. ':' .. chat
  local cat
  cat, ctat = earliest(ckey, ci, cb)
  if cat > at + 0.01 then
    return {0, string.format('%.3f', cat - now), string.format('%.3f', now)}
  end
end
take(bkey, btat, bi, at)
if ckey then take(ckey, ctat, ci, at) end
return {1, string.format('%.3f', at - now), string.format('%.3f', now)}
"""

# ARGV: P, now, bot, backoff, floor, keep, recovery per ms, pause ms. A 429: the token pauses
# for retry_after and its rate drops by `backoff` (once per second, however many sends in
# flight hit it), then recovers; returns the new fraction of its rate.
THROTTLE = r"""
local bot = ARGV[3]
local key = P .. ':slow:' .. bot
local recover = tonumber(ARGV[7])
local s = redis.call('HMGET', key, 'f', 't', 'cut')
local f = 1
if s[1] then
  f = tonumber(s[1]) + (now - tonumber(s[2])) * recover
  if f > 1 then f = 1 end
end
if not s[3] or now - tonumber(s[3]) >= 1000 then
  f = f * tonumber(ARGV[4])
  if f < tonumber(ARGV[5]) then f = tonumber(ARGV[5]) end
  redis.call('HSET', key, 'f', string.format('%.6f', f), 't', string.format('%.3f', now),
    'cut', string.format('%.3f', now))
  redis.call('PEXPIRE', key, math.ceil((1 - f) / recover) + 1000)
end
pause_until(bot, now + tonumber(ARGV[8]))
return string.format('%.6f', f)
"""

# ARGV: P, now, bot, base ms, cap ms. A transport failure of a send of this bot: a closed
# breaker opens for `base`; a failed probe re-opens it for twice as long as before (up to
# `cap`); a failure while it is open changes nothing. Returns the open time in ms (0: it was
# open already).
BREAK = r"""
local bot = ARGV[3]
local brk = P .. ':brk:' .. bot
local h = redis.call('HMGET', brk, 'n', 'state', 'since')
local n = tonumber(h[1] or '0')
if n > 0 and h[2] == 'open' and paused(bot) > 0 then return 0 end
n = n + 1
local open = tonumber(ARGV[4]) * 2 ^ (n - 1)
if open > tonumber(ARGV[5]) then open = tonumber(ARGV[5]) end
redis.call('HSET', brk, 'n', n, 'state', 'open', 'since', h[3] or string.format('%.3f', now))
if h[2] == 'probe' then redis.call('DEL', P .. ':pause:' .. bot) end  -- the probe's hold ends
pause_until(bot, now + open)
redis.call('ZADD', P .. ':bots', now + open, bot)
return math.ceil(open)
"""

# ARGV: P, now, bot. A claimed probe was settled without asking Telegram (it had expired):
# the next job may probe at once.
UNHOLD = r"""
local brk = P .. ':brk:' .. ARGV[3]
if redis.call('HGET', brk, 'state') ~= 'probe' then return 0 end
redis.call('HSET', brk, 'state', 'open')
redis.call('DEL', P .. ':pause:' .. ARGV[3])
redis.call('ZADD', P .. ':bots', 'LT', now, ARGV[3])
return 1
"""

# ARGV: P, now, bot. Telegram answered a send of this bot (not a transport failure).
CLOSE = r"""
return close(ARGV[3])
"""

# ARGV: P, now, consumer, jid... Done: forget the jobs (even if a reaper had handed them
# back); a sent job closes its bot's breaker.
ACK = r"""
local inflight = P .. ':inflight:' .. ARGV[3]
local n = 0
local bots = {}
for i = 4, #ARGV do
  redis.call('HDEL', inflight, ARGV[i])
  local key = P .. ':job:' .. ARGV[i]
  local bot = redis.call('HGET', key, 'b')
  if bot then bots[bot] = true end
  unref(key)
  n = n + redis.call('DEL', key)
end
for bot in pairs(bots) do close(bot) end
return n
"""

# ARGV: P, now, consumer, jid, bot, tid, chat, data, front ('1' head / '0' tail), delay ms.
# A delayed job also holds its chat's later jobs until it is due (their slot is not earlier).
REQUEUE = r"""
local jid = ARGV[4]
if not owned(ARGV[3], jid) then return 0 end
local key = P .. ':job:' .. jid
if redis.call('EXISTS', key) == 0 then return 0 end
local bot, tid, chat = ARGV[5], ARGV[6], ARGV[7]
redis.call('HSET', key, 'b', bot, 't', tid, 'c', chat, 'd', ARGV[8])
unref(key)
local delay = tonumber(ARGV[10])
local q = P .. ':q:' .. bot .. ':' .. tid
if delay > 0 then
  local due = now + delay
  redis.call('ZADD', P .. ':later:' .. bot .. ':' .. tid, due, jid)
  local hkey = P .. ':hold:' .. bot .. ':' .. chat
  if (tonumber(redis.call('GET', hkey) or '0') or 0) < due then
    redis.call('SET', hkey, string.format('%.3f', due), 'PX', math.ceil(delay) + 1000)
  end
  schedule(bot, tid, due)
else
  if ARGV[9] == '1' then
    to_head(q, jid)
  else
    redis.call('RPUSH', q, jid)
  end
  schedule(bot, tid, now)
end
return 1
"""

# ARGV: P, now, consumer, jid. Give a claim back untouched (its send failed on our side).
RELEASE = r"""
local jid = ARGV[4]
if not owned(ARGV[3], jid) then return 0 end
local bt = redis.call('HMGET', P .. ':job:' .. jid, 'b', 't')
if not bt[1] then return 0 end
to_head(P .. ':q:' .. bt[1] .. ':' .. bt[2], jid)
schedule(bt[1], bt[2], now)
return 1
"""

# ARGV: P, now, consumer, jid, data, cap (dead letters kept per tenant)
BURY = r"""
local jid = ARGV[4]
if not owned(ARGV[3], jid) then return 0 end
local key = P .. ':job:' .. jid
local tid = redis.call('HGET', key, 't')
if not tid then return 0 end
redis.call('HSET', key, 'd', ARGV[5])
unref(key)
local dead = P .. ':dead:' .. tid
redis.call('ZADD', dead, now, jid)
redis.call('SADD', P .. ':dead_tenants', tid)
local extra = redis.call('ZCARD', dead) - tonumber(ARGV[6])
if extra > 0 then
  local popped = redis.call('ZPOPMIN', dead, extra)
  for i = 1, #popped, 2 do
    unref(P .. ':job:' .. popped[i])
    redis.call('DEL', P .. ':job:' .. popped[i])
  end
end
return 1
"""

# ARGV: P, now, tid, jid, data. A dead letter goes back to the tail of its lane.
REVIVE = r"""
local tid, jid = ARGV[3], ARGV[4]
if redis.call('ZREM', P .. ':dead:' .. tid, jid) == 0 then return 0 end
local key = P .. ':job:' .. jid
local bot = redis.call('HGET', key, 'b')
if not bot then return 0 end
redis.call('HSET', key, 'd', ARGV[5])
redis.call('RPUSH', P .. ':q:' .. bot .. ':' .. tid, jid)
schedule(bot, tid, now)
return 1
"""

# ARGV: P, now, consumer, lease ms. Renew our lease; hand back every expired consumer's jobs.
LEASE = r"""
local me = ARGV[3]
redis.call('ZADD', P .. ':consumers', now + tonumber(ARGV[4]), me)
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

# ARGV: P, now, consumer. Our own earlier life's claims (after a crash or a stop) go back.
RECLAIM = r"""
return hand_back(ARGV[3])
"""

# ARGV: P, now. Jobs queued (ready or waiting), in flight, and dead letters.
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
    "acquire": ACQUIRE,
    "throttle": THROTTLE,
    "break": BREAK,
    "close": CLOSE,
    "unhold": UNHOLD,
}

# Telegram counts a send when it arrives, anywhere between its start and its answer. KEYS, per
# send in turn: its bot's arrival zset (member: a send, score: the latest time it may arrive) --
# the paid one for a paid broadcast --, the bot's pace hash, and optionally its chat's arrival
# zset. ARGV: now ms ('' = Redis TIME), count, window ms, longest a send stays in flight ms, then
# per send: how many of KEYS are its own (2 or 3), its id, '1' for a paid broadcast ('0' else),
# and for the chat: count, window ms ('' = none). A send may start while fewer than `count`
# others (of any process) were in flight or answered within the window, for the bot and for the
# chat; returns per send, in order (each sees those before it): '0' (it is counted, in flight),
# or ms to wait before asking again.
ARRIVE_MANY = r"""
local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local window = tonumber(ARGV[3])
local flight = tonumber(ARGV[4])
local until_ms = string.format('%.3f', now + flight)
local function room(key, count, win)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.3f', now - win))
  local n = redis.call('ZCARD', key)
  if n < count then return 0 end
  -- the (n - count + 1)th oldest must leave the window; one still in flight may answer soon
  local first = redis.call('ZRANGE', key, n - count, n - count, 'WITHSCORES')
  local score = tonumber(first[2])
  if score > now then return 10 end
  local wait = score + win - now
  if wait < 1 then wait = 1 end
  return wait
end
local out = {}
local k = 1
for a = 5, #ARGV, 5 do
  local bot, pace, chat = KEYS[k], KEYS[k + 1], nil
  if ARGV[a] == '3' then chat = KEYS[k + 2] end
  k = k + tonumber(ARGV[a])
  local ordinary = tonumber(ARGV[2])
  local count = ordinary
  -- A bot's own rate widens its window. A paid one widens only the paid window: Telegram counts
  -- every send of the bot against its paid rate and one without allow_paid_broadcast (a reply)
  -- also against the ordinary rate, so the sends in the bot's other window keep the ordinary
  -- rate and the paid window leaves room for them (its rate less the ordinary count).
  local own = redis.call('HMGET', pace, 'rate', 'paid')
  if ARGV[a + 2] == '1' then
    if own[1] and own[2] == '1' then
      count = math.max(ordinary, math.floor(tonumber(own[1])) - ordinary)
    end
  elseif own[1] and own[2] ~= '1' then
    count = math.max(1, math.floor(tonumber(own[1])))
  end
  local wait = room(bot, count, window)
  local chat_window = tonumber(ARGV[a + 4] or '') or 0
  if wait == 0 and chat then wait = room(chat, tonumber(ARGV[a + 3]), chat_window) end
  if wait > 0 then
    out[#out + 1] = string.format('%.3f', wait)
  else
    redis.call('ZADD', bot, until_ms, ARGV[a + 1])
    redis.call('PEXPIRE', bot, math.ceil(flight + window) + 1000)
    if chat then
      redis.call('ZADD', chat, until_ms, ARGV[a + 1])
      redis.call('PEXPIRE', chat, math.ceil(flight + chat_window) + 1000)
    end
    out[#out + 1] = '0'
  end
end
return out
"""

# KEYS: every send's arrival zsets in turn (its bot's, optionally its chat's). ARGV: now ms
# ('' = Redis TIME), then per send: how many of KEYS are its own (1 or 2), its id, ms the
# caller's clock counted from its answer to this call. The sends were answered (or failed): each
# arrived by then, if at all (now less that time: its answer on this clock, or later).
ANSWERED_MANY = r"""
local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local k = 1
for a = 2, #ARGV, 3 do
  local at = string.format('%.3f', now - tonumber(ARGV[a + 2]))
  for _ = 1, tonumber(ARGV[a]) do
    redis.call('ZADD', KEYS[k], 'XX', at, ARGV[a + 1])
    k = k + 1
  end
end
return 1
"""
