-- Reclaims what expired, then counts. KEYS[1..10] see lib.lua. ARGV: 1 now, 2 holdMs
-- Returns {size, leased, holding, free, exhausted, recycled, shared}
reclaim(tonumber(ARGV[1]), tonumber(ARGV[2]))
local stats = redis.call('HMGET', K.stats, 'exhausted', 'recycled', 'shared')
return {
  redis.call('SCARD', K.numbers), redis.call('ZCARD', K.leased), redis.call('ZCARD', K.holding),
  redis.call('ZCARD', K.free), tonumber(stats[1] or '0'), tonumber(stats[2] or '0'), tonumber(stats[3] or '0')
}
