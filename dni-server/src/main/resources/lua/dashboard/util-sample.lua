-- Records one pool's counts for a minute and forgets samples older than the window. Several
-- dni-servers sampling the same minute simply overwrite each other's (equal) sample.
-- KEYS[1] {pool:<id>}:util-history (hash: epoch minute -> "leased holding size exhausted")
-- ARGV: minute, sample, oldest minute to keep
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local oldest = tonumber(ARGV[3])
for _, minute in ipairs(redis.call('HKEYS', KEYS[1])) do
  if tonumber(minute) < oldest then
    redis.call('HDEL', KEYS[1], minute)
  end
end
return 1
