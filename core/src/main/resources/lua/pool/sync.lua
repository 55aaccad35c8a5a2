-- Brings a pool's runtime keys in line with its configured numbers. Idempotent; a sync carrying an
-- older revision than the last one applied is ignored (two writers racing cannot roll a pool back).
-- New numbers become free with idle-since 0 (idle longest). Removed numbers leave at once when free;
-- leased or held ones stay with their session and leave when it ends (the reclaim step drops them).
-- A pool synced for the first time is marked as in the current key layout (meta 'layout', see
-- migrate.lua); a pool synced before keeps its mark, or its lack of one until it is migrated.
-- KEYS[1] meta (hash: rev, property, layout)  KEYS[2] numbers (set)  KEYS[3] free  KEYS[4] leased  KEYS[5] holding
-- ARGV[1] revision, ARGV[2] property id, ARGV[3..] numbers (E.164)
local rev = tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'rev') or '-1')
if current == -1 then
  redis.call('HSET', KEYS[1], 'layout', '2')
end
if rev < current then
  return 0
end
local want = {}
for i = 3, #ARGV do want[ARGV[i]] = true end
for _, n in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if not want[n] then
    redis.call('SREM', KEYS[2], n)
    redis.call('ZREM', KEYS[3], n)
  end
end
for i = 3, #ARGV do
  local n = ARGV[i]
  redis.call('SADD', KEYS[2], n)
  if not redis.call('ZSCORE', KEYS[3], n) and not redis.call('ZSCORE', KEYS[4], n)
      and not redis.call('ZSCORE', KEYS[5], n) then
    redis.call('ZADD', KEYS[3], 0, n)
  end
end
redis.call('HSET', KEYS[1], 'rev', rev, 'property', ARGV[2])
return 1
