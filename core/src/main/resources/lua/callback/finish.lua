-- The router holding a callback writes its final state (completed, failed) and drops it from the
-- schedule. With an empty JSON it only drops it (its record expired or was erased). Nothing changes
-- when another router holds it now.
-- KEYS[1] callback {cb:P}:callback:<id>   KEYS[2] due {cb:P}:due   KEYS[3] owners {cb:P}:owners
-- ARGV: 1 id, 2 router id, 3 callback JSON ('' : none)
-- Returns 1 when finished, else 0.
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then
  return 0
end
if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
