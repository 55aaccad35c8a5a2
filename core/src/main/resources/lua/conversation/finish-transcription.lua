-- A call's transcription is over (its transcript kept, or nothing left to transcribe): out of the queue,
-- its failed attempts forgotten.
-- KEYS[1] queue {calls:P}:transcriptions   KEYS[2] attempts {calls:P}:transcription-attempts
-- ARGV[1] call id
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
