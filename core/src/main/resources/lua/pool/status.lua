-- Reclaims what expired, then counts. KEYS[1..13] see lib.lua. ARGV: 1 now, 2 holdMs
-- Returns {size, leased, holding, free, exhausted, recycled, shared, then calls attributed by confidence:
--          exact, channel, probable, ambiguous, unattributed} | {'unmigrated'}
if not migrated() then
  return {'unmigrated'}
end
reclaim(tonumber(ARGV[1]), tonumber(ARGV[2]))
local stats = redis.call('HMGET', K.stats, 'exhausted', 'recycled', 'shared', 'calls:exact', 'calls:channel',
  'calls:probable', 'calls:ambiguous', 'calls:unattributed')
return {
  redis.call('SCARD', K.numbers), redis.call('ZCARD', K.leased), redis.call('ZCARD', K.holding),
  redis.call('ZCARD', K.free), tonumber(stats[1] or '0'), tonumber(stats[2] or '0'), tonumber(stats[3] or '0'),
  tonumber(stats[4] or '0'), tonumber(stats[5] or '0'), tonumber(stats[6] or '0'), tonumber(stats[7] or '0'),
  tonumber(stats[8] or '0')
}
