-- Reclaims what expired and trims the history of the next numbers to the window.
-- KEYS[1..10] see lib.lua. ARGV: 1 now, 2 holdMs, 3 history cutoff
-- Returns {transitions made, history sessions removed}
-- The trim walks the numbers with history a slice per run (SSCAN from the cursor kept in meta,
-- ~128 numbers), not all of them: a pool of thousands of numbers held Redis for 5-15 ms every
-- sweep, a stall every request behind it waited out. Assign trims a number's history each time it
-- hands the number out, so only idle numbers wait for the slice that reaches them.
local changed = reclaim(tonumber(ARGV[1]), tonumber(ARGV[2]))
local removed = 0
local page = redis.call('SSCAN', K.histnums, redis.call('HGET', K.meta, 'trim-cursor') or '0', 'COUNT', 128)
for _, n in ipairs(page[2]) do
  removed = removed + trim(n, tonumber(ARGV[3]))
end
redis.call('HSET', K.meta, 'trim-cursor', page[1])
return {changed, removed}
