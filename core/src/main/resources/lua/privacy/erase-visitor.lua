-- Anonymises a visitor in one pool: each of its sessions keeps its times and number (so calls stay
-- attributed and counted) but its visitor id becomes the erasure token and its click ids go; the
-- visitor's live-session entry and its index are deleted.
-- KEYS[1] visitors hash {pool:P}:visitors   KEYS[2] visitor index   KEYS[3..] the sessions' hashes
-- ARGV: visitor id, token
-- Returns the number of sessions anonymised.
local n = 0
for i = 3, #KEYS do
  local v = redis.call('HGET', KEYS[i], 'visitor')
  if v == ARGV[1] then
    redis.call('HSET', KEYS[i], 'visitor', ARGV[2])
    local json = redis.call('HGET', KEYS[i], 'attribution')
    if json then
      local ok, a = pcall(cjson.decode, json)
      if ok and type(a) == 'table' then
        for _, f in ipairs({'gclid', 'gbraid', 'wbraid', 'msclkid', 'fbclid', 'referrer'}) do
          a[f] = nil
        end
        redis.call('HSET', KEYS[i], 'attribution', cjson.encode(a))
      end
    end
    n = n + 1
  end
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return n
