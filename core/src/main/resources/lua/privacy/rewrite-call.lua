-- Replaces a call's stored record with an anonymised one if the record is still the one the eraser
-- read (a newer event in between: nothing is written, the eraser reads again). The key's TTL stays.
-- The erasure is kept with the record ('erased', see CallErasure): the call's later events, which the
-- router writes from what it knew at the call's start, are cleaned the same way (apply-event).
-- KEYS[1] call hash {calls:P}:call:<id>
-- ARGV: record JSON as read, anonymised record JSON, the erasure (JSON, all erasures of the call so far)
if redis.call('HGET', KEYS[1], 'record') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'erased', ARGV[3])
return 1
