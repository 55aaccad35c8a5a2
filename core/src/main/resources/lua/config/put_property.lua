-- Creates or replaces a property and announces it.
-- KEYS[1] {cfg}:properties  (hash id -> PropertyConfig JSON)
-- ARGV[1] property id, ARGV[2] JSON, ARGV[3] changes channel
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], 'property:' .. ARGV[1])
return {'ok'}
