-- Replaces a call's stored record with an anonymised one if the record is still the one the eraser
-- read (a newer event in between: nothing is written, the eraser reads again). The key's TTL stays.
-- KEYS[1] call hash {calls}:call:<id>
-- ARGV: record JSON as read, anonymised record JSON
if redis.call('HGET', KEYS[1], 'record') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'record', ARGV[2])
return 1
