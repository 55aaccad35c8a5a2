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
-- KEYS[5] lifetime hash {roll:P}:lifetime (customers, customerRevenue: since tracking began)
-- KEYS[6..] the day, hour and HyperLogLog keys named in ARGV[5]
-- ARGV: 1 expected old contribution JSON ('' for none), 2 stream entry id, 3 call id,
--       4 new contribution JSON, 5 key indexes JSON:
--       {old: {total, hour, dims: {dim: i}, credit: {name: i}}, new: {total, hour, dims: {dim: i},
--        credit: {name: i}, hll, hlls: {dim: i}, hllr, hllrs: {dim: i}},
--        demote: {contrib, total, dims: {dim: i}, hllr, hllrs: {dim: i}}}
--       (hllr: HyperLogLogs of repeat callers; demote: the caller's first call so far, when this call
--       started before it), 6 the call's start (epoch ms), 7 expected callers-hash value for the
--       caller ('' for none), 8 expected contribution of the call to demote ('' for none),
--       9 how long the call's record has left, ms ('' or -1: kept until erased): the contribution,
--       which holds the caller's number, lasts no longer than the record an erasure finds it by
-- contribution: {day, hour, dims: {source=..,...}, caller, live (0/1),
--                m: {calls, answered, missed, qualified, conversions, revenue, duration, ...},
--                credit: {"source@linear": {<value>: {calls: "<millionths>", conversions, revenue}}, ...}}
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

-- first-time caller: the caller's call that started first on the property, whatever order the calls
-- are rolled up in (the router replays its spool late and out of order). The callers hash keeps
-- "<start ms>|<call id>" of the earliest call seen (a bare call id, from before start times were kept,
-- counts as earliest). A call that started before it takes its place, and the other call's stored
-- contribution is demoted to a repeat call in its own day's figures.
local start = tonumber(ARGV[6])
local function parseFirst(v)
  local ms, id = string.match(v, '^(%d+)|(.+)$')
  if ms then return tonumber(ms), id end
  return -1, v
end
local function metricDelta(keyIdx, dims, metric, delta)
  if delta == 0 then return end
  local d = string.format('%.0f', delta)
  if redis.call('HINCRBY', KEYS[keyIdx.total], metric, d) == 0 then
    redis.call('HDEL', KEYS[keyIdx.total], metric)
  end
  for dim, value in pairs(dims) do
    local dimKey = KEYS[keyIdx.dims[dim]]
    if redis.call('HINCRBY', dimKey, metric .. ':' .. value, d) == 0 then
      redis.call('HDEL', dimKey, metric .. ':' .. value)
    end
  end
end
new.m.first = 0
new.m.repeatCalls = 0
if new.caller ~= '' then
  local firstValue = redis.call('HGET', KEYS[2], new.caller)
  if (firstValue or '') ~= ARGV[7] then
    return -1
  end
  local mine = string.format('%.0f', start) .. '|' .. callId
  if not firstValue and old and old.m and (old.caller or '') ~= '' then
    -- counted before, and the caller's first call since forgotten by caller-number retention
    -- (privacy/RetentionSweep): the call keeps its role, and the number is not put back
    new.m.first = old.m.first or 0
    new.m.repeatCalls = old.m.repeatCalls or 0
  elseif not firstValue then
    redis.call('HSET', KEYS[2], new.caller, mine)
    new.m.first = 1
  else
    local firstStart, firstId = parseFirst(firstValue)
    if firstId == callId then
      new.m.first = 1
    elseif start < firstStart or (start == firstStart and callId < firstId) then
      -- this call is the caller's first: the one counted as first so far becomes a repeat call
      local d = idx.demote
      if not d then
        return redis.error_reply('first call of the caller to demote was not named')
      end
      local prevJson = redis.call('GET', KEYS[d.contrib])
      if (prevJson or '') ~= ARGV[8] then
        return -1
      end
      if prevJson then
        local prev = cjson.decode(prevJson)
        if prev.m.first == 1 then
          metricDelta(d, prev.dims, 'first', -1)
          metricDelta(d, prev.dims, 'repeatCalls', 1)
          metricDelta(d, prev.dims, 'firstRevenue', -(prev.m.firstRevenue or 0))
          prev.m.first = 0
          prev.m.repeatCalls = 1
          prev.m.firstRevenue = 0
          if string.sub(prev.caller, 1, 7) ~= 'erased:' then
            redis.call('PFADD', KEYS[d.hllr], prev.caller)
            for dim, _ in pairs(prev.dims) do
              redis.call('PFADD', KEYS[d.hllrs[dim]], prev.caller)
            end
          end
          redis.call('SET', KEYS[d.contrib], encodeContribution(prev), 'KEEPTTL')
        end
      end
      redis.call('HSET', KEYS[2], new.caller, mine)
      new.m.first = 1
    else
      new.m.repeatCalls = 1
    end
  end
end
-- repeat purchase: a converted call of a caller whose first converted call was another one
new.m.repeatPurchases = 0
if new.caller ~= '' and new.m.conversions == 1 then
  if redis.call('HSETNX', KEYS[4], new.caller, callId) == 1 then
    -- a new customer: a caller's first converted call (customer lifetime value)
    redis.call('HINCRBY', KEYS[5], 'customers', 1)
  end
  if redis.call('HGET', KEYS[4], new.caller) ~= callId then
    new.m.repeatPurchases = 1
  end
end
-- lifetime revenue of customers: the values of converted calls from identified callers, all time.
-- A contribution stored before this was kept (no "lt") was never counted, so it is not taken back
local function customerRevenue(c)
  if c.caller ~= '' and c.m.conversions == 1 then return c.m.revenue or 0 end
  return 0
end
local lifetimeDelta = customerRevenue(new)
if old and old.lt == 1 then
  lifetimeDelta = lifetimeDelta - customerRevenue(old)
end
if lifetimeDelta ~= 0 then
  redis.call('HINCRBY', KEYS[5], 'customerRevenue', string.format('%.0f', lifetimeDelta))
end
new.lt = 1
-- revenue of first-time callers' calls (revenue per first-time caller)
new.m.firstRevenue = 0
if new.m.first == 1 then
  new.m.firstRevenue = new.m.revenue or 0
end

local function int(v)
  return string.format('%.0f', v)
end

-- The difference between the old and the new contribution, per key and field, so that only the
-- fields that change are written (a call's events change a few of its hundreds of fields: its day,
-- dimensions and most counts stay)
local deltas = {}
local function bump(keyIndex, field, d)
  if d == 0 then return end
  local fields = deltas[keyIndex]
  if not fields then
    fields = {}
    deltas[keyIndex] = fields
  end
  fields[field] = (fields[field] or 0) + d
end

local function add(c, sign, k)
  for metric, v in pairs(c.m) do
    if v ~= 0 then
      bump(k.total, metric, sign * v)
      for dim, value in pairs(c.dims) do
        bump(k.dims[dim], metric .. ':' .. value, sign * v)
      end
    end
  end
  bump(k.hour, tostring(c.hour), sign * (c.m.calls or 0))
  -- the multi-touch models' credit: counts kept as decimal strings, so that cjson stores them whole;
  -- as Lua numbers here they are exact (at most 10^15 cents, far below 2^53)
  for name, byValue in pairs(c.credit or {}) do
    for value, counts in pairs(byValue) do
      for metric, v in pairs(counts) do
        bump(k.credit[name], metric .. ':' .. value, sign * tonumber(v))
      end
    end
  end
end

if old then
  add(old, -1, idx.old)
end
add(new, 1, idx.new)
for keyIndex, fields in pairs(deltas) do
  local key = KEYS[keyIndex]
  for field, d in pairs(fields) do
    if d ~= 0 and redis.call('HINCRBY', key, field, int(d)) == 0 then
      redis.call('HDEL', key, field)
    end
  end
end

-- unique callers: HyperLogLogs only grow, so a caller is added once per day and dimension value.
-- An erased caller's token (DELETE /v1/callers) is not added: the number it replaced is already
-- counted, and adding the token would count the person twice
-- (a call already counted on the same day, with the same caller and dimension values, is in them)
local function countedAlike(a, b)
  if not a or a.day ~= b.day or (a.caller or '') ~= b.caller or type(a.dims) ~= 'table' then
    return false
  end
  for dim, value in pairs(b.dims) do
    if a.dims[dim] ~= value then
      return false
    end
  end
  return true
end
local alike = countedAlike(old, new)
if new.caller ~= '' and string.sub(new.caller, 1, 7) ~= 'erased:' then
  if not alike then
    redis.call('PFADD', KEYS[idx.new.hll], new.caller)
    for dim, _ in pairs(new.dims) do
      redis.call('PFADD', KEYS[idx.new.hlls[dim]], new.caller)
    end
  end
  -- repeat callers: callers of a call that is not their first on the property
  if new.m.repeatCalls == 1 and not (alike and old.m and old.m.repeatCalls == 1) then
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
redis.call('SET', KEYS[1], encodeContribution(new))
local ttl = tonumber(ARGV[9] or '')
if ttl and ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
