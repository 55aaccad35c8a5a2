-- Sets (replaces) a call's outcome and announces it on the calls stream. Returns the stream entry's
-- id (so the caller can bring the rollups up to date at once), or 0 if the call is unknown.
-- KEYS[1] call hash {calls:P}:call:<id>   KEYS[2] stream {calls:P}:events (the call's shard; one slot)
-- ARGV: outcome json, call id, stream max length
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'outcome', ARGV[1])
local record = redis.call('HGET', KEYS[1], 'record')
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
  'callId', ARGV[2], 'seq', 'outcome', 'type', 'outcome', 'record', record, 'outcome', ARGV[1])
