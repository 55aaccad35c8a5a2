-- Reclaims what expired and trims every number's history to the window.
-- KEYS[1..10] see lib.lua. ARGV: 1 now, 2 holdMs, 3 history cutoff
-- Returns {transitions made, history sessions removed}
local changed = reclaim(tonumber(ARGV[1]), tonumber(ARGV[2]))
local removed = 0
for _, n in ipairs(redis.call('SMEMBERS', K.histnums)) do
  removed = removed + trim(n, tonumber(ARGV[3]))
end
return {changed, removed}
