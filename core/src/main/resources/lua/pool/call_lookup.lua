-- What attributing a call to a pool number reads, in one round trip: the number's history and the
-- visitor the caller's last resolved call in the pool went to. Reads only.
-- KEYS[1] {pool:ID}:histories   KEYS[2] (optional) {pool:ID}:caller:<E164>
-- ARGV[1] the number (E.164)
-- Returns {history or nil, previous visitor or nil}
local history = redis.call('HGET', KEYS[1], ARGV[1])
local previous = false
if KEYS[2] then
  previous = redis.call('GET', KEYS[2])
end
return {history, previous}
