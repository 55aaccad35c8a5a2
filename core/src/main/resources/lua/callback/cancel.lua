-- Cancels a callback no router holds: writes its final state and takes it off the schedule, only if
-- it is still stored as the caller read it (a router that claimed it or moved it on meanwhile wins).
-- KEYS[1] callback {cb:P}:callback:<id>   KEYS[2] due {cb:P}:due   KEYS[3] owners {cb:P}:owners
-- ARGV: 1 id, 2 the callback JSON as read, 3 the cancelled callback JSON
-- Returns 1 when cancelled, else 0.
if redis.call('GET', KEYS[1]) ~= ARGV[2] or redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
