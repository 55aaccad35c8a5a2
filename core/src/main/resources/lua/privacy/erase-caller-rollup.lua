-- Replaces a caller number by a token in one property's rollups: the first-caller and first-buyer
-- hashes and each of the given calls' contributions. Counts stay: a call's first/repeat role is kept
-- on re-apply (rollup/apply.lua), and HyperLogLogs hold only hashes and are left.
-- Two uses: erasure (DELETE /v1/callers: ARGV[3] 'all', one token for all of the caller's calls) and
-- caller-number retention (ARGV[3] 'listed': the hashes' entry moves only when it names one of the
-- listed calls, i.e. the caller's first (or first converted) call is past retention: the property
-- then forgets the number, and the caller's next new call counts as a first-time one).
-- KEYS[1] callers hash {roll:P}:callers   KEYS[2] buyers hash {roll:P}:buyers
-- KEYS[3..] contributions {roll:P}:contrib:<callId>
-- ARGV: caller, token, 'all' | 'listed', then (for 'listed') the call ids of KEYS[3..] in order
local listed = {}
for i = 4, #ARGV do listed[ARGV[i]] = true end
-- the callers hash holds "<start ms>|<call id>" (rollup/apply.lua), the buyers hash a call id
local function callOf(value)
  return string.match(value, '^%d+|(.+)$') or value
end
local function move(hash)
  local first = redis.call('HGET', hash, ARGV[1])
  if first and (ARGV[3] == 'all' or listed[callOf(first)]) then
    redis.call('HSET', hash, ARGV[2], first)
    redis.call('HDEL', hash, ARGV[1])
  end
end
move(KEYS[1])
move(KEYS[2])
local n = 0
for i = 3, #KEYS do
  local json = redis.call('GET', KEYS[i])
  if json then
    local c = cjson.decode(json)
    if c.caller == ARGV[1] then
      c.caller = ARGV[2]
      redis.call('SET', KEYS[i], encodeContribution(c), 'KEEPTTL')
      n = n + 1
    end
  end
end
return n
