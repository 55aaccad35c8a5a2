-- Extends a live lease. KEYS[1..9] see lib.lua, KEYS[10] the session's hash.
-- ARGV: 1 now, 2 leaseMs, 3 holdMs, 4 session id
-- Returns {'ok', leaseExpiresAt} | {'gone'} | {'not_found'}
local now, leaseMs, holdMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[10], 'state', 'number', 'leaseExpiresAt')
if not s[1] then
  return {'not_found'}
end
if s[1] ~= 'LEASED' or tonumber(s[3]) <= now or redis.call('HGET', K.owner, s[2]) ~= ARGV[4] then
  return {'gone'}
end
local expiry = now + leaseMs
redis.call('ZADD', K.leased, ms(expiry), s[2])
redis.call('HSET', KEYS[10], 'leaseExpiresAt', ms(expiry), 'endsAt', ms(expiry + holdMs),
  'naturalEndsAt', ms(expiry + holdMs))
return {'ok', ms(expiry)}
