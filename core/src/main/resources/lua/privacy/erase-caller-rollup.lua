-- Replaces a caller number by the erasure token in one property's rollups: the first-caller and the
-- first-buyer hashes and each of the given calls' contributions. The same token for all of the
-- caller's calls keeps first and repeat calls (and purchases) what they were, so every count stays;
-- HyperLogLogs hold only hashes and are left.
-- KEYS[1] callers hash {roll:P}:callers   KEYS[2] buyers hash {roll:P}:buyers
-- KEYS[3..] contributions {roll:P}:contrib:<callId>
-- ARGV: caller, token
for h = 1, 2 do
  local first = redis.call('HGET', KEYS[h], ARGV[1])
  if first then
    redis.call('HSET', KEYS[h], ARGV[2], first)
    redis.call('HDEL', KEYS[h], ARGV[1])
  end
end
local n = 0
for i = 3, #KEYS do
  local json = redis.call('GET', KEYS[i])
  if json then
    local c = cjson.decode(json)
    if c.caller == ARGV[1] then
      c.caller = ARGV[2]
      redis.call('SET', KEYS[i], cjson.encode(c), 'KEEPTTL')
      n = n + 1
    end
  end
end
return n
