-- Applies one call event: stores the record, indexes the call by start time and appends the event
-- to the calls stream, all or nothing. An event whose seq is not above the call's last applied seq
-- is a replay (the router's spool sending it again) and changes nothing.
-- KEYS[1] call hash {calls:P}:call:<id>   KEYS[2] index {calls:P}:by-start   KEYS[3] stream {calls:P}:events
-- (P: the call's property, the shard; one slot)
-- ARGV: seq, record json, index member, event type, call id, stream max length
local last = redis.call('HGET', KEYS[1], 'seq')
if last and tonumber(last) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'record', ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[3])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*',
  'callId', ARGV[5], 'seq', ARGV[1], 'type', ARGV[4], 'record', ARGV[2])
return 1
