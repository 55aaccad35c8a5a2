-- A transcription that failed: due again after ARGV[3] ms doubled for each attempt before, or taken
-- out of the queue once ARGV[4] attempts have failed, the last failure kept with the call (field
-- 'transcription-failed', shown by GET /v1/calls/{id}/transcript; it goes with the record).
-- KEYS[1] queue {calls:P}:transcriptions   KEYS[2] attempts {calls:P}:transcription-attempts (hash)
-- KEYS[3] call hash {calls:P}:call:<id>
-- ARGV: call id, now ms, first delay ms, attempts at most, why the last attempt failed.
-- Returns the attempts so far; negative when the call was given up.
local n = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if n >= tonumber(ARGV[4]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  if redis.call('EXISTS', KEYS[3]) == 1 then
    redis.call('HSET', KEYS[3], 'transcription-failed', ARGV[5])
  end
  return -n
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]) * 2 ^ (n - 1), ARGV[1])
return n
