-- Extends a live lease. KEYS[1..13] see lib.lua, KEYS[14] the session's hash.
-- A session that shares its number with a later visit (share-channel) keeps heartbeating: the
-- number stays leased while either is (the leased score only grows). One whose lease ran out,
-- that was released (its lease ends at the release), that a recycle cut short, or whose number has
-- left the pool is gone.
-- ARGV: 1 now, 2 leaseMs, 3 holdMs, 4 session id, 5 ttlMs (history window after the hold)
-- Returns {'ok', leaseExpiresAt} | {'gone'} | {'not_found'} | {'unmigrated'}
if not migrated() then
  return {'unmigrated'}
end
local now, leaseMs, holdMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[14], 'n', 'le')
if not s[1] then
  return {'not_found'}
end
local n = s[1]
if tonumber(s[2]) <= now or recycled(ARGV[4]) then
  return {'gone'}
end
-- a number taken out of the pool is not renewed: the page asks again and gets one of the pool's
-- (assign renews none either), and the number leaves once this lease and its hold are over, instead
-- of staying on an open page for as long as it heartbeats (it may be another pool's by now)
if redis.call('SISMEMBER', K.numbers, n) == 0 then
  return {'gone'}
end
local expiry = now + leaseMs
if redis.call('HGET', K.owner, n) == ARGV[4] or redis.call('ZSCORE', K.leased, n) then
  redis.call('ZREM', K.holding, n)
  redis.call('ZADD', K.leased, 'GT', ms(expiry), n)
end
redis.call('HSET', KEYS[14], 'le', ms(expiry), 'ne', ms(expiry + holdMs))
redis.call('PEXPIRE', KEYS[14], ms(leaseMs + holdMs + tonumber(ARGV[5])))
return {'ok', ms(expiry)}
