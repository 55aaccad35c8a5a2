-- The sessions of one number that could own a call at instant `at`: started at or before it and
-- not naturally over before it. KEYS[1..9] see lib.lua. ARGV: 1 number, 2 at
-- Returns one array of session fields per candidate (field order: see RedisPoolEngine.FIELDS).
local at = tonumber(ARGV[2])
local out = {}
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', history_key(ARGV[1]), '-inf', ms(at))) do
  local s = redis.call('HMGET', session_key(sid), 'sid', 'pool', 'property', 'visitor', 'number',
    'attribution', 'state', 'startedAt', 'leaseExpiresAt', 'releasedAt', 'endsAt', 'naturalEndsAt')
  if s[1] and at < tonumber(s[12]) then
    out[#out + 1] = s
  end
end
return out
