-- Removes one call of the old single {calls} tag once CallsMigration copied it to its shard: its hash
-- (only if it is still the version copied) and its index entry.
-- KEYS[1] old call hash {calls}:call:<id>   KEYS[2] old index {calls}:by-start
-- ARGV: index member, seq copied ('' = the hash was already gone)
local seq = redis.call('HGET', KEYS[1], 'seq')
if seq and ARGV[2] ~= '' and seq ~= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
