-- Ends a live lease now and starts its hold: the lease's end becomes now (a session is leased
-- while its lease has not ended, see SessionCodec). Anything else (held, ended, recycled, lease
-- already run out) is left as it is. A session sharing its number with a later visit only ends its
-- own lease: the number stays with the visit that took it last.
-- KEYS[1..13] see lib.lua, KEYS[14] the session's hash.
-- ARGV: 1 now, 2 holdMs, 3 session id, 4 ttlMs (history window after the hold)
-- Returns {'ok'} | {'noop'} | {'not_found'} | {'unmigrated'}
if not migrated() then
  return {'unmigrated'}
end
local now, holdMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[14], 'n', 'le')
if not s[1] then
  return {'not_found'}
end
local n = s[1]
if tonumber(s[2]) <= now or recycled(ARGV[3]) then
  return {'noop'}
end
local holdEnd = now + holdMs
if redis.call('HGET', K.owner, n) == ARGV[3] then
  redis.call('ZREM', K.leased, n)
  redis.call('ZADD', K.holding, ms(holdEnd), n)
end
redis.call('HSET', KEYS[14], 'le', ms(now), 'ne', ms(holdEnd))
redis.call('PEXPIRE', KEYS[14], ms(holdMs + tonumber(ARGV[4])))
return {'ok'}
