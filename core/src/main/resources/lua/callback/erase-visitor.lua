-- Erases every callback asked from one visitor's visits (DELETE /v1/visitors/{visitorId}): the callbacks,
-- their place in the schedule and any router's hold on them (a router holding one stops writing it; one
-- not placed yet never will be), their ids in their phones' indexes (an index left empty goes, with the
-- number in its name), those phones' request counters, and the visitor's index.
-- KEYS[1] due {cb:P}:due   KEYS[2] owners {cb:P}:owners   KEYS[3] visitor index {cb:P}:visitor:<visitorId>
-- KEYS[4..] for each of the first ARGV[1] callbacks (read just before, so their phone is known) four keys:
--   the callback {cb:P}:callback:<id>, its phone's index {cb:P}:phone:<e164> and the phone's request
--   windows (current and previous); then for each other callback (its record already gone) one key:
--   the callback
-- ARGV: 1 how many callbacks have four keys, then the callback ids in the order of their keys
-- Returns the ids of the callbacks deleted.
local withPhone = tonumber(ARGV[1])
local deleted = {}
local k = 4
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('DEL', KEYS[k]) == 1 then
    deleted[#deleted + 1] = id
  end
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('SREM', KEYS[3], id)
  if i - 1 <= withPhone then
    redis.call('SREM', KEYS[k + 1], id)
    if redis.call('SCARD', KEYS[k + 1]) == 0 then
      redis.call('DEL', KEYS[k + 1])
    end
    redis.call('DEL', KEYS[k + 2], KEYS[k + 3])
    k = k + 4
  else
    k = k + 1
  end
end
if redis.call('SCARD', KEYS[3]) == 0 then
  redis.call('DEL', KEYS[3])
end
return deleted
