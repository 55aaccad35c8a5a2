-- Creates or replaces a pool: validates everything first, then writes, so a refused pool changes nothing.
-- KEYS[1] {cfg}:properties            hash property id -> JSON
-- KEYS[2] {cfg}:pools                 hash pool id -> JSON
-- KEYS[3] {cfg}:numbers               hash E.164 -> "pool:<id>" | "static"
-- KEYS[4] {cfg}:property-pools:<prop> set of the property's pool ids
-- KEYS[5] {cfg}:pool-rev              hash pool id -> revision of its last write
-- KEYS[6] {cfg}:revision              counter behind the revisions
-- ARGV[1] pool id, ARGV[2] property id, ARGV[3] JSON, ARGV[4] changes channel, ARGV[5..] numbers (E.164)
-- Returns {'ok', revision} | {'not_found', detail} | {'conflict', detail}.
local poolId, prop = ARGV[1], ARGV[2]
if redis.call('HEXISTS', KEYS[1], prop) == 0 then
  return {'not_found', 'property ' .. prop .. ' does not exist'}
end
local old = redis.call('HGET', KEYS[2], poolId)
local oldNumbers = {}
if old then
  local o = cjson.decode(old)
  if o.property ~= prop then
    -- the pool's sessions, visitors and history belong to its property: moving them is not supported
    return {'conflict', 'pool ' .. poolId .. ' belongs to property ' .. tostring(o.property)}
  end
  for _, n in ipairs(o.numbers) do oldNumbers[n] = true end
end
local mine = 'pool:' .. poolId
local newNumbers = {}
for i = 5, #ARGV do
  local n = ARGV[i]
  local owner = redis.call('HGET', KEYS[3], n)
  if owner and owner ~= mine then
    if owner == 'static' then
      return {'conflict', n .. ' is a static number'}
    end
    return {'conflict', n .. ' belongs to pool ' .. string.sub(owner, 6)}
  end
  newNumbers[n] = true
end
for n in pairs(oldNumbers) do
  if not newNumbers[n] then redis.call('HDEL', KEYS[3], n) end
end
for i = 5, #ARGV do redis.call('HSET', KEYS[3], ARGV[i], mine) end
redis.call('HSET', KEYS[2], poolId, ARGV[3])
redis.call('SADD', KEYS[4], poolId)
local rev = redis.call('INCR', KEYS[6])
redis.call('HSET', KEYS[5], poolId, rev)
redis.call('PUBLISH', ARGV[4], mine)
return {'ok', tostring(rev)}
