-- Records what the page saw (a tap or click on the number, a copy, the page hidden or shown again)
-- on a live session: the instant of the latest of each kind; or (ARGV[5]) the site's analytics ids
-- the page could read only after its assign (field 'id'). A session that is unknown or whose
-- hold is over (or was cut short by a recycle) is left alone, and so is one that already took its
-- share of beacons (a flood).
-- KEYS[1..13] see lib.lua, KEYS[14] the session's hash.
-- ARGV: 1 now, 2 field ('ta' tap, 'cp' copy, 'hi' hidden, 'sh' shown, 'id' ids), 3 most beacons,
--       4 session id, 5 the value for 'id' (else the field holds now)
-- Returns {'ok'} | {'ended'} | {'flood'} | {'not_found'} | {'unmigrated'}
if not migrated() then
  return {'unmigrated'}
end
local now = tonumber(ARGV[1])
local s = redis.call('HMGET', KEYS[14], 'n', 'ne', 'b')
if not s[1] then
  return {'not_found'}
end
if tonumber(s[2]) <= now or recycled(ARGV[4]) then
  return {'ended'}
end
if tonumber(s[3] or '0') >= tonumber(ARGV[3]) then
  return {'flood'}
end
redis.call('HINCRBY', KEYS[14], 'b', 1)
redis.call('HSET', KEYS[14], ARGV[2], ARGV[5] or string.format('%.0f', now))
return {'ok'}
