-- Assigns a number of this pool to a visitor: reclaim what expired, then the visitor's live session
-- (sticky: same number, lease renewed, hold cancelled), else the free number idle longest, else the
-- exhaustion policy. In mode 'sticky' it only looks for the visitor's live session.
-- KEYS[1..10] see lib.lua, KEYS[11] the new session's hash
-- ARGV: 1 now, 2 leaseMs, 3 holdMs, 4 policy ('fallback'|'recycle-oldest'|'share-channel'),
--       5 mode ('assign'|'sticky'), 6 visitorId, 7 new session id, 8 pool id, 9 property id (8, 9 unused:
--       the key and the pool's configuration say them),
--       10 how many pieces the attribution JSON comes in, 11 history cutoff, 12 channel (source/medium/
--       campaign digest), 13 browser time zone ('' if unknown), 14 ttlMs (history window after the
--       hold), 15 history depth (sessions kept per number), 16.. the attribution JSON in pieces of at
--       most 64 bytes (fields a1, a2, ...: small values keep the hash in Redis's compact encoding)
-- Returns {'sticky'|'new'|'recycled'|'shared', sid, number, leaseExpiresAt} | {'fallback'} | {'none'} | {'unsynced'}
if not synced() then
  return {'unsynced'}
end
local now, leaseMs, holdMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local policy, mode, visitor = ARGV[4], ARGV[5], ARGV[6]
local cutoff = tonumber(ARGV[11])
local channel, ttlMs = ARGV[12], tonumber(ARGV[14])
reclaim(now, holdMs)

local expiry = now + leaseMs

-- sticky: the visitor's live session keeps its number (unless the number has left the pool)
local sid = redis.call('HGET', K.visitors, visitor)
if sid then
  local skey = session_key(sid)
  local s = redis.call('HMGET', skey, 's', 'n')
  local n = s[2]
  if (s[1] == 'LEASED' or s[1] == 'HOLDING') and redis.call('HGET', K.owner, n) == sid
      and redis.call('SISMEMBER', K.numbers, n) == 1 then
    redis.call('ZREM', K.holding, n)
    redis.call('ZADD', K.leased, ms(expiry), n)
    redis.call('HSET', skey, 's', 'LEASED', 'le', ms(expiry), 'ne', ms(expiry + holdMs))
    redis.call('PEXPIRE', skey, ms(leaseMs + holdMs + ttlMs))
    return {'sticky', sid, n, ms(expiry)}
  end
end
if mode == 'sticky' then
  return {'none'}
end

local kind = 'new'
local n
local popped = redis.call('ZPOPMIN', K.free)
if #popped > 0 then
  n = popped[1]
elseif policy == 'share-channel' then
  -- a number whose last visit came through the same channel, one whose visit has left first
  -- (earliest hold end), else one still leased (earliest lease end)
  for _, set in ipairs({K.holding, K.leased}) do
    if not n then
      for _, candidate in ipairs(redis.call('ZRANGE', set, 0, -1)) do
        if redis.call('HGET', K.channel, candidate) == channel
            and redis.call('SISMEMBER', K.numbers, candidate) == 1 then
          n = candidate
          break
        end
      end
    end
  end
  redis.call('HINCRBY', K.stats, 'exhausted', 1)
  if not n then
    return {'fallback'}
  end
  redis.call('HINCRBY', K.stats, 'shared', 1)
  kind = 'shared'
  -- the earlier visit keeps its own lease and hold in its session; the number now follows the
  -- new visit (its lease can only lengthen the number's)
  redis.call('ZREM', K.holding, n)
else
  if policy ~= 'recycle-oldest' then
    redis.call('HINCRBY', K.stats, 'exhausted', 1)
    return {'fallback'}
  end
  -- the number whose hold ends first, else whose lease ends first, among the pool's numbers
  -- (numbers dropped from the configuration are skipped: they leave when their session ends)
  for _, set in ipairs({K.holding, K.leased}) do
    local i = 0
    while not n do
      local candidate = redis.call('ZRANGE', set, i, i)[1]
      if not candidate then
        break
      end
      if redis.call('SISMEMBER', K.numbers, candidate) == 1 then
        n = candidate
      end
      i = i + 1
    end
  end
  redis.call('HINCRBY', K.stats, 'exhausted', 1)
  if not n then
    return {'fallback'}
  end
  redis.call('HINCRBY', K.stats, 'recycled', 1)
  kind = 'recycled'
  local old = redis.call('HGET', K.owner, n)
  if old then
    local okey = session_key(old)
    local s = redis.call('HMGET', okey, 's', 'v', 'le')
    if s[1] == 'LEASED' then
      redis.call('HSET', okey, 'le', ms(math.min(tonumber(s[3]), now)))
    end
    -- endsAt is when it really ended; naturalEndsAt stays, so calls in its natural hold are ambiguous
    redis.call('HSET', okey, 's', 'RECYCLED', 'e', ms(now))
    if s[2] and redis.call('HGET', K.visitors, s[2]) == old then
      redis.call('HDEL', K.visitors, s[2])
    end
  end
  redis.call('ZREM', K.holding, n)
  redis.call('ZREM', K.leased, n)
end

sid = ARGV[7]
redis.call('HSET', KEYS[11], 'v', visitor,
  'n', n, 's', 'LEASED', 't', ms(now),
  'le', ms(expiry), 'ne', ms(expiry + holdMs))
for i = 1, tonumber(ARGV[10]) do
  redis.call('HSET', KEYS[11], 'a' .. i, ARGV[15 + i])
end
if ARGV[13] ~= '' then
  redis.call('HSET', KEYS[11], 'tz', ARGV[13])
end
redis.call('PEXPIRE', KEYS[11], ms(leaseMs + holdMs + ttlMs))
redis.call('ZADD', K.leased, 'GT', ms(expiry), n)
redis.call('HSET', K.channel, n, channel)
redis.call('HSET', K.owner, n, sid)
redis.call('HSET', K.visitors, visitor, sid)
redis.call('ZADD', history_key(n), ms(now), random_part(sid))
-- resolving reads only the latest sessions of a number: keep a bounded few (a small, compact zset)
redis.call('ZREMRANGEBYRANK', history_key(n), 0, -(tonumber(ARGV[15]) + 1))
redis.call('SADD', K.histnums, n)
redis.call('PEXPIRE', history_key(n), ms(leaseMs + holdMs + ttlMs))
trim(n, cutoff)
return {kind, sid, n, ms(expiry)}
