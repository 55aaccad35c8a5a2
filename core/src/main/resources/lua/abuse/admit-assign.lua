-- Decides whether one client address may take a new lease of a property, and reserves a place among
-- its live leases if so, in one step (a flood of parallel assigns cannot all slip under the limit).
-- KEYS[1] {abuse:<property>:<address>}:live      zset member -> end of its number's hold ms (injected clock)
-- KEYS[2] {abuse:<property>:<address>}:minute:<n> counter of this minute's assigns
-- ARGV: now ms, reservation member, reservation end ms, liveSoft, liveHard, minuteSoft, minuteHard,
--       key idle ms (how long the keys outlive their last use; longer while an entry lasts longer)
-- Returns {decision, live, thisMinute}: decision 'allow' | 'fallback_live' | 'fallback_rate' | 'block'.
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local live = redis.call('ZCARD', KEYS[1])
local minute = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], 120000)
if live >= tonumber(ARGV[5]) or minute > tonumber(ARGV[7]) then
  return {'block', live, minute}
end
if live >= tonumber(ARGV[4]) then
  return {'fallback_live', live, minute}
end
if minute > tonumber(ARGV[6]) then
  return {'fallback_rate', live, minute}
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[8]), tonumber(last) - now))
return {'allow', live + 1, minute}
