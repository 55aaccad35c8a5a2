-- Reclaims what expired and trims the history of the next numbers to the window.
-- KEYS[1..13] see lib.lua. ARGV: 1 now, 2 holdMs, 3 history cutoff, 4 gap (ms): a pool that any
-- server swept less than this long ago is left as it is ('0': swept whatever)
-- Returns {transitions made, history sessions removed} ({0, 0} when left) | {'unmigrated'}
-- Every server (and every HTTP instance of one) sweeps every pool on its own timer: the gap makes
-- them share one sweep per pool per interval instead of each repeating it (each held Redis 1-5 ms in
-- bench-assign, a pool with millions of recycle marks: load-tests README). Assign reclaims inline,
-- so a sweep left to another server delays nothing an assign sees.
-- The trim walks the numbers with history a slice per run (SSCAN from the cursor kept in meta,
-- ~128 numbers), not all of them: a pool of thousands of numbers held Redis for 5-15 ms every
-- sweep, a stall every request behind it waited out. Assign trims a number's history each time it
-- hands the number out, so only idle numbers wait for the slice that reaches them. The recycle
-- marks are walked the same way: a mark whose session left its number's history (past its depth)
-- goes once it is older than the window (below).
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
-- The marks are walked only while one may be older than the window. A pool recycling all day keeps
-- millions of marks, and walking 128 of them took 0.3-2 ms a sweep, for nothing until the oldest is
-- a window old. Meta's 'recycled-oldest' is a bound below every mark's time, set by each whole walk:
-- the oldest mark it kept, or when it began if that is older (a recycle marks at its own now, so a
-- mark written since is newer; one present throughout is seen by HSCAN). No bound yet (a pool from
-- before it, or migrate.lua wrote older marks and dropped it): walk. A new pool's first walk meets
-- an empty hash and is whole at once.
local cutoff = tonumber(ARGV[3])
local oldest = redis.call('HGET', K.meta, 'recycled-oldest')
if not oldest or tonumber(oldest) < cutoff then
  local cursor = redis.call('HGET', K.meta, 'recycled-cursor') or '0'
  local low = now
  if cursor ~= '0' then -- a walk under way; one begun before the bound existed bounds nothing (0)
    low = tonumber(redis.call('HGET', K.meta, 'recycled-low') or '0')
  end
  local marks = redis.call('HSCAN', K.recycled, cursor, 'COUNT', 128)
  for i = 1, #marks[2], 2 do
    local at = tonumber(marks[2][i + 1])
    if at < cutoff then
      redis.call('HDEL', K.recycled, marks[2][i])
    elseif at < low then
      low = at
    end
  end
  if marks[1] == '0' then
    redis.call('HSET', K.meta, 'recycled-oldest', ms(low))
    redis.call('HDEL', K.meta, 'recycled-low')
  else
    redis.call('HSET', K.meta, 'recycled-low', ms(low))
  end
  redis.call('HSET', K.meta, 'recycled-cursor', marks[1])
end
return {changed, removed}
