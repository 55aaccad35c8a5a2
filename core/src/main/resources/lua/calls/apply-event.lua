-- Applies one call event: stores the record, indexes the call by start time and appends the event
-- to the calls stream, all or nothing. An event whose seq is not above the call's last applied seq
-- is a replay (the router's spool sending it again) and changes nothing.
-- KEYS[1] call hash {calls:P}:call:<id>   KEYS[2] index {calls:P}:by-start   KEYS[3] stream {calls:P}:events
-- (P: the call's property, the shard; one slot)
-- KEYS[4] (optional) the shard's call-record retention {calls:P}:retention (ms; absent: kept until erased)
-- ARGV: seq, record json, index member, event type, call id, stream max length,
--       (with KEYS[4]) now ms (the writer's clock), call start ms,
--       (optional) 9 the erasure (JSON, see CallErasure) the record was cleaned with, '' for none
-- An erasure of the call since its last event (the hash's 'erased') and not the one the record was
-- cleaned with: nothing is written, the erasure is answered, and the writer sends the record again
-- without what the erasure took out (the router still has the caller's number and the click ids).
-- Returns 1 written, 0 a replay, or the erasure's JSON.
local h = redis.call('HMGET', KEYS[1], 'seq', 'erased')
local last, erased = h[1], h[2]
if last and tonumber(last) >= tonumber(ARGV[1]) then
  return 0
end
if erased and erased ~= (ARGV[9] or '') then
  return erased
end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'record', ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[3])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*',
  'callId', ARGV[5], 'seq', ARGV[1], 'type', ARGV[4], 'record', ARGV[2])
-- retention: the record lives until start + retention (a record already past it goes at once)
if KEYS[4] then
  local keep = redis.call('GET', KEYS[4])
  if keep then
    local ttl = tonumber(ARGV[8]) + tonumber(keep) - tonumber(ARGV[7])
    if ttl < 1 then ttl = 1 end
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
end
return 1
