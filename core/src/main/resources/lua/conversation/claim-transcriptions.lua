-- Takes up to ARGV[3] calls whose transcription is due and leases them: each is due again only once the
-- lease is over, so a dni-server that dies while transcribing leaves the call to another, later.
-- KEYS[1] queue {calls:P}:transcriptions   ARGV: now ms, lease ms, how many. Returns the call ids.
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
local until_ms = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, id in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', until_ms, id)
end
return due
