-- Replaces an address's reservation with the lease it turned into (or drops it: the assign gave the
-- default number, or failed). A returning visitor's renewed session replaces its own earlier entry.
-- KEYS[1] {abuse:<property>:<address>}:live
-- ARGV: reservation member, session id ('' for none), lease end ms, key idle ms
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
