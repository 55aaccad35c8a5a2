-- Reclaims what expired, then counts. KEYS[1..13] see lib.lua. ARGV: 1 now, 2 holdMs
-- Returns {size, leased, holding, free, exhausted, recycled, shared, then calls attributed by confidence:
--          exact, channel, probable, ambiguous, unattributed, then leaving} | {'unmigrated'}
-- leased, holding and free count the pool's configured numbers only; leaving, the numbers dropped
-- from its configuration that a session still holds (leased or held).
if not migrated() then
  return {'unmigrated'}
end
reclaim(tonumber(ARGV[1]), tonumber(ARGV[2]))
local size, leased, holding, free = redis.call('SCARD', K.numbers), redis.call('ZCARD', K.leased),
  redis.call('ZCARD', K.holding), redis.call('ZCARD', K.free)
-- numbers dropped from the configuration that still have their session (sync.lua) are counted apart:
-- they are no longer the pool's, and counted as leased they showed a shrunk pool fuller than it is.
-- Each of the pool's numbers is in exactly one of free, leased and holding, so only a surplus means
-- there are any to look for.
local leaving = 0
if leased + holding + free > size then
  for _, set in ipairs({K.leased, K.holding}) do
    for _, n in ipairs(redis.call('ZRANGE', set, 0, -1)) do
      if redis.call('SISMEMBER', K.numbers, n) == 0 then
        leaving = leaving + 1
        if set == K.leased then leased = leased - 1 else holding = holding - 1 end
      end
    end
  end
end
local stats = redis.call('HMGET', K.stats, 'exhausted', 'recycled', 'shared', 'calls:exact', 'calls:channel',
  'calls:probable', 'calls:ambiguous', 'calls:unattributed')
return {
  size, leased, holding, free, tonumber(stats[1] or '0'), tonumber(stats[2] or '0'), tonumber(stats[3] or '0'),
  tonumber(stats[4] or '0'), tonumber(stats[5] or '0'), tonumber(stats[6] or '0'), tonumber(stats[7] or '0'),
  tonumber(stats[8] or '0'), leaving
}
