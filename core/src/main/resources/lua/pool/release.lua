-- Ends a live lease now and starts its hold: the lease's end becomes now (a session is leased
-- while its lease has not ended, see SessionCodec). Anything else (held, ended, recycled, lease
-- already run out) is left as it is. A session sharing its number with a later visit only ends its
-- own lease: the number stays with the visit that took it last.
-- KEYS[1..13] see lib.lua, KEYS[14] the session's hash.
-- A release naming the lease it ends (ARGV 5, the lease's end as the page last heard it) leaves a
-- lease a heartbeat has renewed since alone: it was sent at pagehide, and arrives after the page came
-- back from the back/forward cache and renewed its lease, which the page shows.
-- ARGV: 1 now, 2 holdMs, 3 session id, 4 ttlMs (history window after the hold), 5 the lease's end
-- in ms as the releasing page knows it, or '' for whichever lease is live
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
if tonumber(s[2]) <= now or recycled(ARGV[3]) or (ARGV[5] ~= '' and tonumber(s[2]) ~= tonumber(ARGV[5])) then
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
