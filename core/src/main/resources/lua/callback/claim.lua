-- A router claims the callback that has been due longest: one whose time has come (requested, opening,
-- retry) or whose holder's lease ran out (that router stopped). The claimer holds it until ARGV[2].
-- Nothing is claimed while ARGV[4] callbacks of the property are held under a lease still running
-- (each one a call to the business line, whichever router places it).
-- KEYS[1] due {cb:P}:due   KEYS[2] owners {cb:P}:owners
-- ARGV: 1 now ms, 2 lease end ms, 3 router id, 4 most callbacks held at once
-- Returns the callback id, or false when none is due or the property is at its limit.
local now = tonumber(ARGV[1])
local held = 0
for _, id in ipairs(redis.call('HKEYS', KEYS[2])) do
  -- a holder's lease ends at its callback's score; an entry left by a finished or erased one has none
  local leaseEnd = redis.call('ZSCORE', KEYS[1], id)
  if leaseEnd and tonumber(leaseEnd) > now then
    held = held + 1
  end
end
if held >= tonumber(ARGV[4]) then
  return false
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #ids == 0 then
  return false
end
redis.call('ZADD', KEYS[1], ARGV[2], ids[1])
redis.call('HSET', KEYS[2], ids[1], ARGV[3])
return ids[1]
