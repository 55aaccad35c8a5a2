-- Moves a pool from the first key layout to this one, a batch of old keys per run; idempotent, so
-- engines that meet the same unmigrated pool may both run it. The first layout kept a history zset
-- per number ({pool:P}:history:<number>, random part -> start ms) and had the pool scripts write
-- other sessions' hashes (state s ENDED or RECYCLED, e), naming those keys inside Lua. Session
-- hashes stay as they are (the state they hold is also what their times say; readers still take
-- RECYCLED and e from them); each history becomes its number's field of K.histories, closed where
-- the session says it is over, a recycled session gets its K.recycled mark and each live session
-- its K.live entry. Until the last batch marks the pool (meta layout = 2) the pool scripts
-- answer 'unmigrated'.
-- KEYS[1..13] see lib.lua, KEYS[14..] this batch's old history zsets and the session hashes they
-- and the visitors hash name. ARGV: 1 'last' when this batch is the last one
-- Returns {history entries moved, live sessions found}
if migrated() then
  return {0, 0}
end
local session = {}
for i = 14, #KEYS do
  local random = string.match(KEYS[i], ':s:([^:]+)$')
  if random then
    session[random] = KEYS[i]
  end
end
local entries, live = 0, 0
for i = 14, #KEYS do
  local n = string.match(KEYS[i], ':history:(.+)$')
  if n then
    local old = redis.call('ZRANGE', KEYS[i], 0, -1, 'WITHSCORES')
    -- what an earlier run of this batch already moved stays (this runs again after a failure)
    local history, have = {}, {}
    local stored = redis.call('HGET', K.histories, n)
    if stored then
      local _, moved = history_parts(stored)
      for entry in string.gmatch(moved, '[^ ]+') do
        local r, t, e = string.match(entry, '^%+?([^,]+),(%w+),?(%w*)$')
        history[#history + 1] = {r = r, t = tonumber(t, 36), e = e ~= '' and tonumber(e, 36) or nil}
        have[r] = true
      end
    end
    for j = 1, #old, 2 do
      local r = old[j]
      if not have[r] then
        local x = {r = r, t = tonumber(old[j + 1])}
        local s = session[r] and redis.call('HMGET', session[r], 's', 'ne', 'e') or {}
        if s[1] == 'RECYCLED' then
          x.e = tonumber(s[3] or s[2])
          redis.call('HSET', K.recycled, r, ms(x.e))
          redis.call('HDEL', K.meta, 'recycled-oldest') -- an older mark: no bound until a whole walk
        elseif s[1] == 'ENDED' then
          x.e = tonumber(s[2])
        elseif not s[1] then
          x.e = x.t -- its hash is gone: nothing to attribute to it any more
        end
        history[#history + 1] = x
        entries = entries + 1
      end
    end
    table.sort(history, function(a, b) return a.t < b.t end)
    local parts = {}
    for j, x in ipairs(history) do
      parts[j] = history_entry(x.r, x.t, x.e)
    end
    put_history(n, #parts, table.concat(parts, ' '))
    redis.call('DEL', KEYS[i])
  end
end
local visitors = redis.call('HGETALL', K.visitors)
for j = 1, #visitors, 2 do
  local key = session[random_part(visitors[j + 1])]
  local s = key and redis.call('HGET', key, 's')
  if s == 'LEASED' or s == 'HOLDING' then
    redis.call('HSET', K.live, random_part(visitors[j + 1]), visitors[j])
    live = live + 1
  end
end
if ARGV[1] == 'last' then
  redis.call('HSET', K.meta, 'layout', '2')
end
return {entries, live}
