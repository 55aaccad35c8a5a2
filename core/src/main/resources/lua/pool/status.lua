-- Reclaims what expired, then counts. KEYS[1..9] see lib.lua. ARGV: 1 now, 2 holdMs
-- Returns {size, leased, holding, free, exhausted, recycled}
reclaim(tonumber(ARGV[1]), tonumber(ARGV[2]))
local stats = redis.call('HMGET', K.stats, 'exhausted', 'recycled')
return {
  redis.call('SCARD', K.numbers), redis.call('ZCARD', K.leased), redis.call('ZCARD', K.holding),
  redis.call('ZCARD', K.free), tonumber(stats[1] or '0'), tonumber(stats[2] or '0')
}
