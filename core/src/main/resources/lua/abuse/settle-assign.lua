-- Replaces an address's reservation with the lease it turned into (or drops it: the assign gave the
-- default number, or failed). A returning visitor's renewed session replaces its own earlier entry.
-- KEYS[1] {abuse:<property>:<address>}:live
-- ARGV: reservation member, session id ('' for none), end of its number's hold ms, key idle ms (how
--       long the key outlives its last use; longer while an entry lasts longer), now ms (injected clock)
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
  redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), tonumber(last) - tonumber(ARGV[5])))
end
return 1
