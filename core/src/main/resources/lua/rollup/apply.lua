-- Replaces one call's contribution to its property's rollups with a new one, applying only the
-- difference, all or nothing. Idempotent by call id: the contribution last applied is kept with the
-- id of the calls-stream entry it came from, and an entry that is not newer (a redelivery, a
-- duplicate, a stale message claimed late from a crashed consumer) changes nothing.
-- All keys share the property's {roll:<property>} hash tag (one slot on Redis Cluster); the day,
-- dimension and HyperLogLog keys follow from the prefix and the contributions.
-- KEYS[1] contribution string {roll:P}:contrib:<callId>   KEYS[2] callers hash {roll:P}:callers
-- KEYS[3] live calls set {roll:P}:live   KEYS[4] buyers hash {roll:P}:buyers (caller -> first converted call)
-- ARGV: key prefix "{roll:P}:", stream entry id, call id, new contribution JSON
-- contribution: {day, hour, dims: {source=..,...}, caller, live (0/1),
--                m: {calls, answered, missed, qualified, conversions, revenue, duration, ...}}
-- (the metrics are Contribution's; this script adds first, repeatCalls and firstRevenue)
-- Returns 1 if applied, 0 if the entry was not newer than the one applied before.
local prefix, entry, callId = ARGV[1], ARGV[2], ARGV[3]

local function newer(a, b) -- is stream id a greater than b?
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
  if ams ~= bms then return ams > bms end
  return aseq > bseq
end

local oldJson = redis.call('GET', KEYS[1])
local old = nil
if oldJson then
  old = cjson.decode(oldJson)
  if not newer(entry, old.id) then
    return 0
  end
end
local new = cjson.decode(ARGV[4])

-- first-time caller: the property's first call from this caller (by call id) is the first-time one
new.m.first = 0
new.m.repeatCalls = 0
if new.caller ~= '' then
  redis.call('HSETNX', KEYS[2], new.caller, callId)
  if redis.call('HGET', KEYS[2], new.caller) == callId then
    new.m.first = 1
  else
    new.m.repeatCalls = 1
  end
end
-- repeat purchase: a converted call of a caller whose first converted call was another one
new.m.repeatPurchases = 0
if new.caller ~= '' and new.m.conversions == 1 then
  redis.call('HSETNX', KEYS[4], new.caller, callId)
  if redis.call('HGET', KEYS[4], new.caller) ~= callId then
    new.m.repeatPurchases = 1
  end
end
-- revenue of first-time callers' calls (revenue per first-time caller)
new.m.firstRevenue = 0
if new.m.first == 1 then
  new.m.firstRevenue = new.m.revenue
end

local function int(v)
  return string.format('%.0f', v)
end

local function add(c, sign)
  local dayKey = prefix .. 'day:' .. c.day .. ':'
  for metric, v in pairs(c.m) do
    if v ~= 0 then
      local delta = int(sign * v)
      if redis.call('HINCRBY', dayKey .. 'total', metric, delta) == 0 then
        redis.call('HDEL', dayKey .. 'total', metric)
      end
      for dim, value in pairs(c.dims) do
        local field = metric .. ':' .. value
        if redis.call('HINCRBY', dayKey .. dim, field, delta) == 0 then
          redis.call('HDEL', dayKey .. dim, field)
        end
      end
    end
  end
  local hourKey = prefix .. 'hour:' .. c.day
  if redis.call('HINCRBY', hourKey, tostring(c.hour), int(sign * c.m.calls)) == 0 then
    redis.call('HDEL', hourKey, tostring(c.hour))
  end
end

if old then
  add(old, -1)
end
add(new, 1)

-- unique callers: HyperLogLogs only grow, so a caller is added once per day and dimension value
if new.caller ~= '' then
  redis.call('PFADD', prefix .. 'hll:' .. new.day .. ':total', new.caller)
  for dim, value in pairs(new.dims) do
    redis.call('PFADD', prefix .. 'hll:' .. new.day .. ':' .. dim .. ':' .. value, new.caller)
  end
  -- repeat callers: callers of a call that is not their first on the property
  if new.m.repeatCalls == 1 then
    redis.call('PFADD', prefix .. 'hllr:' .. new.day .. ':total', new.caller)
    for dim, value in pairs(new.dims) do
      redis.call('PFADD', prefix .. 'hllr:' .. new.day .. ':' .. dim .. ':' .. value, new.caller)
    end
  end
end

if new.live == 1 then
  redis.call('SADD', KEYS[3], callId)
else
  redis.call('SREM', KEYS[3], callId)
end

new.id = entry
redis.call('SET', KEYS[1], cjson.encode(new))
return 1
