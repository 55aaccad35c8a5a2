-- A router claims the callback that has been due longest: one whose time has come (requested, opening,
-- retry) or whose holder's lease ran out (that router stopped). The claimer holds it until ARGV[2].
-- KEYS[1] due {cb:P}:due   KEYS[2] owners {cb:P}:owners
-- ARGV: 1 now ms, 2 lease end ms, 3 router id
-- Returns the callback id, or false when none is due.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #ids == 0 then
  return false
end
redis.call('ZADD', KEYS[1], ARGV[2], ids[1])
redis.call('HSET', KEYS[2], ids[1], ARGV[3])
return ids[1]
