-- Anonymises a visitor in one pool: each of its sessions keeps its times and number (so calls stay
-- attributed and counted) but its visitor id becomes the erasure token and its referrer and click
-- ids go, those in its landing page's query too; the visitor's live-session entry and its live sessions'
-- entries in the pool's live hash (random part -> visitor, see lib.lua) are deleted. Its session index
-- stays until the whole erasure is done (SessionRetention.forgetVisitor), so that an erasure failing
-- midway and sent again finds these sessions, and their calls, once more.
-- Sessions are compact hashes (see RedisPoolEngine): v visitor, id analytics ids sent after the
-- assign (GA client and session, Meta browser: dropped here), a1..aN the attribution cut in pieces
-- of at most 64 bytes, its twelve fields separated by U+001F in record order (source, medium,
-- campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid, fbclid).
-- KEYS[1] visitors hash {pool:P}:visitors   KEYS[2] live hash {pool:P}:live
-- KEYS[3..] the sessions' hashes ({pool:P}:s:<random>)
-- ARGV: visitor id, token, then the names of the click parameters (lower case) to drop from the
--       landing page (LandingPage.CLICK_PARAMETERS: one list, kept in Java)
-- Returns the number of sessions anonymised.
local MAX_PIECES = 32
local PIECE = 64

local CLICK = {}
for i = 3, #ARGV do CLICK[ARGV[i]] = true end

-- a landing page (path and query) without its click parameters, as LandingPage.withoutClickIds
local function pageWithoutClicks(page)
  local q = string.find(page, '?', 1, true)
  if not q then return page end
  local kept = {}
  for pair in string.gmatch(string.sub(page, q + 1), '[^&]+') do
    if not CLICK[string.lower(string.match(pair, '^[^=]*'))] then kept[#kept + 1] = pair end
  end
  local path = q == 1 and '/' or string.sub(page, 1, q - 1)
  if #kept == 0 then return path end
  return path .. '?' .. table.concat(kept, '&')
end

-- the attribution without the referrer and click ids: its first six fields, the landing page (the
-- sixth) without its click parameters
local function withoutClicks(s)
  local start, count = 1, 0
  local fields = {}
  while count < 6 do
    local sep = string.find(s, '\31', start, true)
    fields[#fields + 1] = string.sub(s, start, (sep or #s + 1) - 1)
    count = count + 1
    if not sep then break end
    start = sep + 1
  end
  if #fields == 6 then fields[6] = pageWithoutClicks(fields[6]) end
  s = table.concat(fields, '\31')
  while string.sub(s, -1) == '\31' do s = string.sub(s, 1, -2) end
  return s
end

-- pieces of at most PIECE bytes, never cut inside a UTF-8 character
local function pieces(s)
  local out, i = {}, 1
  while i <= #s do
    local j = math.min(i + PIECE - 1, #s)
    while j < #s and j > i and s:byte(j + 1) >= 0x80 and s:byte(j + 1) < 0xC0 do j = j - 1 end
    out[#out + 1] = string.sub(s, i, j)
    i = j + 1
  end
  return out
end

local n = 0
for i = 3, #KEYS do
  local random = string.match(KEYS[i], ':s:([^:]+)$')
  if random and redis.call('HGET', KEYS[2], random) == ARGV[1] then
    redis.call('HDEL', KEYS[2], random)
  end
  local v = redis.call('HGET', KEYS[i], 'v')
  if v == ARGV[1] then
    redis.call('HSET', KEYS[i], 'v', ARGV[2])
    redis.call('HDEL', KEYS[i], 'id') -- the analytics ids its page sent after its assign
    local parts = {}
    for p = 1, MAX_PIECES do
      local x = redis.call('HGET', KEYS[i], 'a' .. p)
      if not x then break end
      parts[#parts + 1] = x
    end
    if #parts > 0 then
      local fields = {}
      for p = 1, #parts do fields[#fields + 1] = 'a' .. p end
      redis.call('HDEL', KEYS[i], unpack(fields))
      for p, piece in ipairs(pieces(withoutClicks(table.concat(parts)))) do
        redis.call('HSET', KEYS[i], 'a' .. p, piece)
      end
    end
    n = n + 1
  end
end
redis.call('HDEL', KEYS[1], ARGV[1])
return n
