-- Accepts one callback request, all or nothing. A phone that has a callback of the property still to
-- be placed or in progress gets that one back (a form sent twice is one callback; nothing counted).
-- Else refuses it when the phone, the client address or the property has had too many requests in the
-- current window; else stores the callback, makes it due now for a router, indexes it under its phone
-- and under the visitor whose visit asked (for erasure) and counts it in the three windows.
-- KEYS[1] callback {cb:P}:callback:<id>   KEYS[2] due {cb:P}:due
-- KEYS[3] phone window {cb:P}:limit:phone:<e164>:<start>   KEYS[4] address window {cb:P}:limit:address:<ip>:<start>
-- KEYS[5] phone index {cb:P}:phone:<e164>   KEYS[6] property window {cb:P}:limit:property:<start>
-- KEYS[7] (when a visit asked) visitor index {cb:P}:visitor:<visitorId>
-- ARGV: 1 id, 2 callback JSON, 3 retention ms, 4 max per phone, 5 max per address (0: no limit),
--       6 window ms (the window keys outlive their window by one window, for cleanup only), 7 now ms,
--       8 max per property
-- Returns 'ok' | 'phone' | 'address' | 'property' | {'pending', <the id of the phone's pending callback>}
-- A callback whose id is stored already (a missed call's, whose id is the call's: offered again) is
-- that one, whatever its state: asked once.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'pending', ARGV[1]}
end
local retention, maxPhone, maxAddress, window = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  -- in the schedule: not finished (finished and erased callbacks leave it)
  if redis.call('ZSCORE', KEYS[2], id) then
    return {'pending', id}
  end
end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= maxPhone then
  return 'phone'
end
if maxAddress > 0 and tonumber(redis.call('GET', KEYS[4]) or '0') >= maxAddress then
  return 'address'
end
if tonumber(redis.call('GET', KEYS[6]) or '0') >= tonumber(ARGV[8]) then
  return 'property'
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', retention)
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[1])
-- each index lives as long as its newest callback
for _, i in ipairs({5, 7}) do
  if KEYS[i] then
    redis.call('SADD', KEYS[i], ARGV[1])
    if redis.call('PTTL', KEYS[i]) < retention then
      redis.call('PEXPIRE', KEYS[i], retention)
    end
  end
end
redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], 2 * window)
if maxAddress > 0 then
  redis.call('INCR', KEYS[4])
  redis.call('PEXPIRE', KEYS[4], 2 * window)
end
redis.call('INCR', KEYS[6])
redis.call('PEXPIRE', KEYS[6], 2 * window)
return 'ok'
