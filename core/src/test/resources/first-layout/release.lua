-- Ends a live lease now and starts its hold. Anything else (held, ended, lease already run out) is
-- left as it is. A session sharing its number with a later visit only ends its own lease: the
-- number stays with the visit that took it last. KEYS[1..10] see lib.lua, KEYS[11] the session's hash.
-- ARGV: 1 now, 2 holdMs, 3 session id, 4 ttlMs (history window after the hold)
-- Returns {'ok'} | {'noop'} | {'not_found'}
local now, holdMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[11], 's', 'n', 'le')
if not s[1] then
  return {'not_found'}
end
if s[1] ~= 'LEASED' or tonumber(s[3]) <= now then
  return {'noop'}
end
local holdEnd = now + holdMs
if redis.call('HGET', K.owner, s[2]) == ARGV[3] then
  redis.call('ZREM', K.leased, s[2])
  redis.call('ZADD', K.holding, ms(holdEnd), s[2])
end
redis.call('HSET', KEYS[11], 's', 'HOLDING', 'le', ms(now), 'ne', ms(holdEnd))
redis.call('PEXPIRE', KEYS[11], ms(holdMs + tonumber(ARGV[4])))
return {'ok'}
