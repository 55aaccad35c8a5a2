-- What attributing a call to a pool number reads, in one round trip: the number's history and the
-- visitor the caller's last resolved call in the pool went to. Reads only.
-- KEYS[1] {pool:ID}:histories   KEYS[2] (optional) {pool:ID}:caller:<E164>
-- ARGV[1] the number (E.164)
-- Returns {history or nil, previous visitor or nil}, the history as '<count> <entry> <entry> ...',
-- oldest first: its older part, then its recent one (see lib.lua)
local parts = redis.call('HMGET', KEYS[1], ARGV[1], ARGV[1] .. '>')
local count, entries = 0, {}
for i = 1, 2 do
  local raw = parts[i]
  local space = raw and string.find(raw, ' ', 1, true)
  if space then
    count = count + tonumber(string.sub(raw, 1, space - 1))
    entries[#entries + 1] = string.sub(raw, space + 1)
  end
end
local history = count > 0 and count .. ' ' .. table.concat(entries, ' ')
local previous = false
if KEYS[2] then
  previous = redis.call('GET', KEYS[2])
end
return {history, previous}
