-- Keeps a call's transcript beside its record. Refused when the call is unknown (0) or its caller was
-- erased (-1: the erasure took the recording, and what the caller said goes with it, so a transcript
-- made before the erasure and delivered after it is not kept). Returns 1 when kept.
-- KEYS[1] call hash {calls:P}:call:<id>   ARGV[1] the transcript (JSON)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local erased = redis.call('HGET', KEYS[1], 'erased')
if erased and cjson.decode(erased).recording then
  return -1
end
-- the hash's TTL (the call-record retention) stays: the transcript goes with the record
redis.call('HSET', KEYS[1], 'transcript', ARGV[1])
return 1
