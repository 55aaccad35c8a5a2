-- Keeps a call's transcript beside its record and announces it on the calls stream (a 'transcript'
-- entry with the record, not the text: the CRM webhook reads the transcript when it sends
-- call.transcribed, so an erasure in between leaves nothing to send). Refused when the call is unknown
-- (0) or its caller was erased (-1: the erasure took the recording, and what the caller said goes with
-- it, so a transcript made before the erasure and delivered after it is not kept). Returns 1 when kept.
-- KEYS[1] call hash {calls:P}:call:<id>   KEYS[2] stream {calls:P}:events (the call's shard; one slot)
-- ARGV: the transcript (JSON), call id, stream max length
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local h = redis.call('HMGET', KEYS[1], 'erased', 'record')
if h[1] and cjson.decode(h[1]).recording then
  return -1
end
-- the hash's TTL (the call-record retention) stays: the transcript goes with the record
redis.call('HSET', KEYS[1], 'transcript', ARGV[1])
redis.call('HDEL', KEYS[1], 'transcription-failed')
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
  'callId', ARGV[2], 'seq', 'transcript', 'type', 'transcript', 'record', h[2])
return 1
