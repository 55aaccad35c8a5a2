-- Takes or keeps the webhook dispatcher's lock: one dni-server delivers CRM webhooks at a time, so
-- each call's events leave in stream order. Returns 1 if the caller holds the lock now, else 0.
-- KEYS[1] lock {webhooks}:dispatcher   ARGV: holder id, time to live (ms)
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
