-- Shared helpers, prepended to every pool script (see RedisPoolEngine for the key layout).
-- Every pool script takes the same nine KEYS first, in this order:
--   1 meta  2 numbers  3 free  4 leased  5 holding  6 owner  7 visitors  8 stats  9 history-numbers
--   10 channel (number -> channel of the visit that took it last, for the share-channel policy)
-- Session hashes and per-number history zsets are named from the pool's key prefix inside the
-- scripts; they carry the pool's hash tag, so they live in the same Redis Cluster slot.
-- Times are epoch milliseconds from the engine's injected clock (ARGV), never Redis TIME.
local K = {
  meta = KEYS[1], numbers = KEYS[2], free = KEYS[3], leased = KEYS[4], holding = KEYS[5],
  owner = KEYS[6], visitors = KEYS[7], stats = KEYS[8], histnums = KEYS[9],
  channel = KEYS[10]
}
local PREFIX = string.sub(KEYS[1], 1, #KEYS[1] - #'meta')

-- integers as plain digits (Lua would otherwise print large numbers in exponent form)
local function ms(x)
  return string.format('%.0f', x)
end

-- a session id is <pool id>.<random>; its key names the random part only (the tag names the pool)
-- (history zsets hold the random part alone: it is accepted too)
local function random_part(sid)
  local dot = string.find(sid, '.', 1, true)
  return dot and string.sub(sid, dot + 1) or sid
end

local function session_key(sid)
  return PREFIX .. 's:' .. random_part(sid)
end

local function history_key(n)
  return PREFIX .. 'history:' .. n
end

-- Expired leases go into their hold (which ends lease expiry + holdMs); expired holds end their
-- session and give the number back to the free set, idle since the hold ended (numbers no longer in
-- the pool are dropped instead). Returns how many transitions it made.
local function reclaim(now, holdMs)
  local changed = 0
  local expired = redis.call('ZRANGEBYSCORE', K.leased, '-inf', ms(now), 'WITHSCORES')
  for i = 1, #expired, 2 do
    local n, expiry = expired[i], tonumber(expired[i + 1])
    local holdEnd = expiry + holdMs
    redis.call('ZREM', K.leased, n)
    redis.call('ZADD', K.holding, ms(holdEnd), n)
    local sid = redis.call('HGET', K.owner, n)
    if sid then
      -- only a session still leased moves: one that shares the number may have released already
      local skey = session_key(sid)
      if redis.call('HGET', skey, 's') == 'LEASED' then
        redis.call('HSET', skey, 's', 'HOLDING', 'le', ms(expiry), 'ne', ms(holdEnd))
      end
    end
    changed = changed + 1
  end
  local over = redis.call('ZRANGEBYSCORE', K.holding, '-inf', ms(now), 'WITHSCORES')
  for i = 1, #over, 2 do
    local n, ends = over[i], tonumber(over[i + 1])
    redis.call('ZREM', K.holding, n)
    local sid = redis.call('HGET', K.owner, n)
    if sid then
      local skey = session_key(sid)
      local visitor = redis.call('HGET', skey, 'v')
      redis.call('HSET', skey, 's', 'ENDED')
      if visitor and redis.call('HGET', K.visitors, visitor) == sid then
        redis.call('HDEL', K.visitors, visitor)
      end
      redis.call('HDEL', K.owner, n)
    end
    if redis.call('SISMEMBER', K.numbers, n) == 1 then
      redis.call('ZADD', K.free, ms(ends), n)
    end
    changed = changed + 1
  end
  return changed
end

-- Drops from a number's history the sessions that started before the cutoff and are over since
-- before it (a session that is still live, or ended within the window, stays whatever its start).
local function trim(n, cutoff)
  local hkey = history_key(n)
  local removed = 0
  for _, sid in ipairs(redis.call('ZRANGEBYSCORE', hkey, '-inf', '(' .. ms(cutoff))) do
    local skey = session_key(sid)
    local s = redis.call('HMGET', skey, 's', 'ne')
    if not s[1] or ((s[1] == 'ENDED' or s[1] == 'RECYCLED') and tonumber(s[2]) < cutoff) then
      redis.call('ZREM', hkey, sid)
      redis.call('DEL', skey)
      removed = removed + 1
    end
  end
  if redis.call('EXISTS', hkey) == 0 then
    redis.call('SREM', K.histnums, n)
  end
  return removed
end

local function synced()
  return redis.call('HEXISTS', K.meta, 'rev') == 1
end

-- ---------------------------------------------------------------------------------------------
