-- Records what the page saw (a tap or click on the number, a copy, the page hidden or shown again)
-- on a live session: the instant of the latest of each kind. A session that is unknown or whose
-- hold is over is left alone, and so is one that already took its share of beacons (a flood).
-- KEYS[1] the session's hash. ARGV: 1 now, 2 field ('ta' tap, 'cp' copy, 'hi' hidden, 'sh' shown), 3 most beacons
-- Returns {'ok'} | {'ended'} | {'flood'} | {'not_found'}
local now = tonumber(ARGV[1])
local s = redis.call('HMGET', KEYS[1], 's', 'ne', 'b')
if not s[1] then
  return {'not_found'}
end
if s[1] == 'ENDED' or s[1] == 'RECYCLED' or tonumber(s[2]) <= now then
  return {'ended'}
end
if tonumber(s[3] or '0') >= tonumber(ARGV[3]) then
  return {'flood'}
end
redis.call('HINCRBY', KEYS[1], 'b', 1)
redis.call('HSET', KEYS[1], ARGV[2], string.format('%.0f', now))
return {'ok'}
