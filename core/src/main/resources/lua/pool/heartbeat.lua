-- Extends a live lease. KEYS[1..10] see lib.lua, KEYS[11] the session's hash.
-- A session that shares its number with a later visit (share-channel) keeps heartbeating: the
-- number stays leased while either is (the leased score only grows).
-- ARGV: 1 now, 2 leaseMs, 3 holdMs, 4 session id, 5 ttlMs (history window after the hold)
-- Returns {'ok', leaseExpiresAt} | {'gone'} | {'not_found'}
local now, leaseMs, holdMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[11], 's', 'n', 'le')
if not s[1] then
  return {'not_found'}
end
if s[1] ~= 'LEASED' or tonumber(s[3]) <= now then
  return {'gone'}
end
local expiry = now + leaseMs
if redis.call('HGET', K.owner, s[2]) == ARGV[4] or redis.call('ZSCORE', K.leased, s[2]) then
  redis.call('ZREM', K.holding, s[2])
  redis.call('ZADD', K.leased, 'GT', ms(expiry), s[2])
end
redis.call('HSET', KEYS[11], 'le', ms(expiry), 'ne', ms(expiry + holdMs))
redis.call('PEXPIRE', KEYS[11], ms(leaseMs + holdMs + tonumber(ARGV[5])))
return {'ok', ms(expiry)}
