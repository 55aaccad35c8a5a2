-- Replaces a call's stored record with an anonymised one if the record is still the one the eraser
-- read (a newer event in between: nothing is written, the eraser reads again). The key's TTL stays.
-- The erasure is kept with the record ('erased', see CallErasure): the call's later events, which the
-- router writes from what it knew at the call's start, are cleaned the same way (apply-event).
-- An erasure that takes the recording takes the transcript too: it is what the caller said.
-- KEYS[1] call hash {calls:P}:call:<id>
-- ARGV: record JSON as read, anonymised record JSON, the erasure (JSON, all erasures of the call so far)
if redis.call('HGET', KEYS[1], 'record') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'erased', ARGV[3])
if cjson.decode(ARGV[3]).recording then
  redis.call('HDEL', KEYS[1], 'transcript')
end
return 1
