-- Creates or replaces a property and announces it; with ARGV[4], only if the property is stored
-- exactly as ARGV[4] says (a read-modify-write that another write overtook is tried again).
-- KEYS[1] {cfg}:properties  (hash id -> PropertyConfig JSON)
-- ARGV[1] property id, ARGV[2] JSON, ARGV[3] changes channel, ARGV[4] (optional) the JSON read before
if ARGV[4] ~= nil and redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[4] then
  return {'overtaken'}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], 'property:' .. ARGV[1])
return {'ok'}
