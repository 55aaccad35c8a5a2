-- Records that an API key opened a request: its last use, if later than the one recorded, and only
-- while the key exists (a revocation is not undone by a use that was in flight).
-- KEYS[1] the API key catalogue hash ({apikeys}:by-id)
-- KEYS[2] the keys' last uses ({apikeys}:last-used, key id -> epoch milliseconds)
-- ARGV[1] key id, ARGV[2] the use's epoch milliseconds
-- Returns 1 if recorded, 0 otherwise.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return 0
end
local before = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[2]) <= before then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
