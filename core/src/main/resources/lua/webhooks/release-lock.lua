-- Gives up the webhook dispatcher's lock if the caller still holds it (a server shutting down).
-- KEYS[1] lock {webhooks}:dispatcher   ARGV: holder id. Returns 1 if released.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
