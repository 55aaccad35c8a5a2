-- Ends a live lease now and starts its hold. Anything else (held, ended, lease already run out) is
-- left as it is. KEYS[1..9] see lib.lua, KEYS[10] the session's hash.
-- ARGV: 1 now, 2 holdMs, 3 session id
-- Returns {'ok'} | {'noop'} | {'not_found'}
local now, holdMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[10], 'state', 'number', 'leaseExpiresAt')
if not s[1] then
  return {'not_found'}
end
if s[1] ~= 'LEASED' or tonumber(s[3]) <= now or redis.call('HGET', K.owner, s[2]) ~= ARGV[3] then
  return {'noop'}
end
local holdEnd = now + holdMs
redis.call('ZREM', K.leased, s[2])
redis.call('ZADD', K.holding, ms(holdEnd), s[2])
redis.call('HSET', KEYS[10], 'state', 'HOLDING', 'releasedAt', ms(now), 'leaseExpiresAt', ms(now),
  'endsAt', ms(holdEnd), 'naturalEndsAt', ms(holdEnd))
return {'ok'}
