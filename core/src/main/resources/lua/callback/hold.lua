-- The router holding a callback extends its lease and, when given one, writes the callback's new state.
-- Nothing changes when another router holds it now or it was finished or erased.
-- KEYS[1] callback {cb:P}:callback:<id>   KEYS[2] due {cb:P}:due   KEYS[3] owners {cb:P}:owners
-- ARGV: 1 id, 2 router id, 3 lease end ms, 4 callback JSON ('' : the state is unchanged)
-- Returns 1 when this router still holds it, else 0.
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
if ARGV[4] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[1], ARGV[4], 'KEEPTTL')
end
return 1
