-- Replaces one call's contribution to its property's rollups with a new one, applying only the
-- difference, all or nothing. Idempotent by call id: the contribution last applied is kept with the
-- id of the calls-stream entry it came from, and an entry that is not newer (a redelivery, a
-- duplicate, a stale message claimed late from a crashed consumer) changes nothing.
-- Every key is declared: the caller reads the old contribution first, names the keys of both the old
-- and the new one, and passes the old one as expected; if it changed meanwhile the script changes
-- nothing and answers -1 (the caller reads again and retries). All keys share the property's
-- {roll:<property>} hash tag (one slot on Redis Cluster).
-- KEYS[1] contribution string {roll:P}:contrib:<callId>   KEYS[2] callers hash {roll:P}:callers
-- KEYS[3] live calls set {roll:P}:live   KEYS[4] buyers hash {roll:P}:buyers (caller -> first converted call)
-- KEYS[5..] the day, hour and HyperLogLog keys named in ARGV[5]
-- ARGV: 1 expected old contribution JSON ('' for none), 2 stream entry id, 3 call id,
--       4 new contribution JSON, 5 key indexes JSON:
--       {old: {total, hour, dims: {dim: i}}, new: {total, hour, dims: {dim: i}, hll, hlls: {dim: i},
--        hllr, hllrs: {dim: i}}} (hllr: HyperLogLogs of repeat callers)
-- contribution: {day, hour, dims: {source=..,...}, caller, live (0/1),
--                m: {calls, answered, missed, qualified, conversions, revenue, duration, ...}}
-- (the metrics are Contribution's; this script adds first, repeatCalls, repeatPurchases and firstRevenue)
-- Returns 1 if applied, 0 if the entry was not newer than the one applied before, -1 if the stored
-- contribution is not the expected one.
local entry, callId = ARGV[2], ARGV[3]
local idx = cjson.decode(ARGV[5])

local function newer(a, b) -- is stream id a greater than b?
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
  if ams ~= bms then return ams > bms end
  return aseq > bseq
end

local oldJson = redis.call('GET', KEYS[1])
if (oldJson or '') ~= ARGV[1] then
  return -1
end
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

local function add(c, sign, k)
  local total = KEYS[k.total]
  for metric, v in pairs(c.m) do
    if v ~= 0 then
      local delta = int(sign * v)
      if redis.call('HINCRBY', total, metric, delta) == 0 then
        redis.call('HDEL', total, metric)
      end
      for dim, value in pairs(c.dims) do
        local field = metric .. ':' .. value
        local dimKey = KEYS[k.dims[dim]]
        if redis.call('HINCRBY', dimKey, field, delta) == 0 then
          redis.call('HDEL', dimKey, field)
        end
      end
    end
  end
  local hourKey = KEYS[k.hour]
  if redis.call('HINCRBY', hourKey, tostring(c.hour), int(sign * c.m.calls)) == 0 then
    redis.call('HDEL', hourKey, tostring(c.hour))
  end
end

if old then
  add(old, -1, idx.old)
end
add(new, 1, idx.new)

-- unique callers: HyperLogLogs only grow, so a caller is added once per day and dimension value.
-- An erased caller's token (DELETE /v1/callers) is not added: the number it replaced is already
-- counted, and adding the token would count the person twice
if new.caller ~= '' and string.sub(new.caller, 1, 7) ~= 'erased:' then
  redis.call('PFADD', KEYS[idx.new.hll], new.caller)
  for dim, _ in pairs(new.dims) do
    redis.call('PFADD', KEYS[idx.new.hlls[dim]], new.caller)
  end
  -- repeat callers: callers of a call that is not their first on the property
  if new.m.repeatCalls == 1 then
    redis.call('PFADD', KEYS[idx.new.hllr], new.caller)
    for dim, _ in pairs(new.dims) do
      redis.call('PFADD', KEYS[idx.new.hllrs[dim]], new.caller)
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
