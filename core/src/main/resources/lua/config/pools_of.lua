-- The JSON of every pool of one property, read atomically.
-- KEYS[1] {cfg}:property-pools:<prop>  KEYS[2] {cfg}:pools
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local json = redis.call('HGET', KEYS[2], id)
  if json then out[#out + 1] = json end
end
return out
