-- Copies one call stored under the old single {calls} tag into its property's shard (CallsMigration):
-- the record, the outcome, the index entry, and an entry on the shard's stream so the rollup
-- consumers count it there (the rollup script makes a call counted twice harmless). A shard copy
-- that is as new or newer (the call went on after the upgrade) is kept; a missing outcome is added.
-- KEYS[1] call hash {calls:P}:call:<id>   KEYS[2] index {calls:P}:by-start   KEYS[3] stream {calls:P}:events
-- ARGV: seq, record json, outcome json ('' = none), index member, call id, stream max length,
--       time to live ms ('' = none)
local last = redis.call('HGET', KEYS[1], 'seq')
local copied = 0
if not last or tonumber(last) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'record', ARGV[2])
  redis.call('ZADD', KEYS[2], 0, ARGV[4])
  if ARGV[7] ~= '' then
    redis.call('PEXPIRE', KEYS[1], ARGV[7])
  end
  copied = 1
end
if ARGV[3] ~= '' and redis.call('HEXISTS', KEYS[1], 'outcome') == 0 then
  redis.call('HSET', KEYS[1], 'outcome', ARGV[3])
  copied = 1
end
if copied == 1 then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'callId', ARGV[5], 'seq', ARGV[1], 'type', 'migrated')
end
return copied
