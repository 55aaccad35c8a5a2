-- Reclaims what expired and trims the history of the next numbers to the window.
-- KEYS[1..13] see lib.lua. ARGV: 1 now, 2 holdMs, 3 history cutoff, 4 gap (ms): a pool that any
-- server swept less than this long ago is left as it is ('0': swept whatever)
-- Returns {transitions made, history sessions removed} ({0, 0} when left) | {'unmigrated'}
-- Every server (and every HTTP instance of one) sweeps every pool on its own timer: the gap makes
-- them share one sweep per pool per interval instead of each repeating it (each a 1-4 ms hold on
-- Redis once the pool's recycle marks number millions: load-tests README). Assign reclaims inline,
-- so a sweep left to another server delays nothing an assign sees.
-- The trim walks the numbers with history a slice per run (SSCAN from the cursor kept in meta,
-- ~128 numbers), not all of them: a pool of thousands of numbers held Redis for 5-15 ms every
-- sweep, a stall every request behind it waited out. Assign trims a number's history each time it
-- hands the number out, so only idle numbers wait for the slice that reaches them. The recycle
-- marks are walked the same way: a mark whose session left its number's history (past its depth)
-- goes once it is older than the window.
if not migrated() then
  return {'unmigrated'}
end
local now = tonumber(ARGV[1])
if now < tonumber(redis.call('HGET', K.meta, 'swept-at') or '0') + tonumber(ARGV[4]) then
  return {0, 0}
end
redis.call('HSET', K.meta, 'swept-at', ms(now))
local changed = reclaim(now, tonumber(ARGV[2]))
local removed = 0
local page = redis.call('SSCAN', K.histnums, redis.call('HGET', K.meta, 'trim-cursor') or '0', 'COUNT', 128)
for _, n in ipairs(page[2]) do
  removed = removed + trim(n, tonumber(ARGV[3]))
end
redis.call('HSET', K.meta, 'trim-cursor', page[1])
local marks = redis.call('HSCAN', K.recycled, redis.call('HGET', K.meta, 'recycled-cursor') or '0', 'COUNT', 128)
for i = 1, #marks[2], 2 do
  if tonumber(marks[2][i + 1]) < tonumber(ARGV[3]) then
    redis.call('HDEL', K.recycled, marks[2][i])
  end
end
redis.call('HSET', K.meta, 'recycled-cursor', marks[1])
return {changed, removed}
