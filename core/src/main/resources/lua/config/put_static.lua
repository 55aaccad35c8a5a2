-- Creates or replaces a static (offline) number.
-- KEYS[1] {cfg}:properties  KEYS[2] {cfg}:numbers  KEYS[3] {cfg}:statics (hash E.164 -> JSON)
-- ARGV[1] E.164, ARGV[2] property id, ARGV[3] JSON, ARGV[4] changes channel
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then
  return {'not_found', 'property ' .. ARGV[2] .. ' does not exist'}
end
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if owner and owner ~= 'static' then
  return {'conflict', ARGV[1] .. ' belongs to pool ' .. string.sub(owner, 6)}
end
redis.call('HSET', KEYS[2], ARGV[1], 'static')
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], 'number:' .. ARGV[1])
return {'ok'}
