-- The router holding a callback lets it go until a later time (its opening, its next attempt): it
-- writes the callback's state and makes it due at ARGV[3] for any router. Nothing changes when another
-- router holds it now or it was finished or erased.
-- KEYS[1] callback {cb:P}:callback:<id>   KEYS[2] due {cb:P}:due   KEYS[3] owners {cb:P}:owners
-- ARGV: 1 id, 2 router id, 3 due ms, 4 callback JSON
-- Returns 1 when rescheduled, else 0.
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] or redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('SET', KEYS[1], ARGV[4], 'KEEPTTL')
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
