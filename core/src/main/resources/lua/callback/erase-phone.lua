-- Erases every callback asked for one phone number (DELETE /v1/callers/{number}): the callbacks, their
-- place in the schedule and any router's hold on them (a router holding one stops writing it), the
-- phone's index and its request counters.
-- KEYS[1] due {cb:P}:due   KEYS[2] owners {cb:P}:owners   KEYS[3] phone index {cb:P}:phone:<e164>
-- KEYS[4], KEYS[5] the phone's request windows (current and previous)
-- KEYS[6..] the callbacks {cb:P}:callback:<id>, in the order of ARGV
-- ARGV: the callback ids (read from the phone index just before)
-- Returns how many callbacks were deleted.
local n = 0
for i, id in ipairs(ARGV) do
  n = n + redis.call('DEL', KEYS[5 + i])
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('SREM', KEYS[3], id)
end
if redis.call('SCARD', KEYS[3]) == 0 then
  redis.call('DEL', KEYS[3])
end
redis.call('DEL', KEYS[4], KEYS[5])
return n
