-- Assigns a number of this pool to a visitor: reclaim what expired, then the visitor's live session
-- (sticky: same number, lease renewed, hold cancelled, its touch the new one when the visitor came
-- back through another channel), else the free number least confusable with
-- the new visit, else the exhaustion policy. In mode 'sticky' it only looks for the visitor's live session.
--
-- Evidence-aware choice: a number's "confusion" is how likely a call from its last visit still is,
-- relative to a visit on the page (1 while leased; after it left, the attribution model's
-- after-the-visit rate: scale x log-normal density of minutes since it left), times the zone factor
-- when the last visit's browser was in another UTC offset than the new one's (the caller's number then
-- tells the two apart). Among the FREE_LOOK longest-idle free numbers it takes the least confusable; when
-- none is free, share-channel looks at the SHARE_LOOK numbers whose visit left first and the
-- SHARE_LOOK whose lease ends first and takes the least confusable of the same channel (a call then
-- stays at least channel-exact); only when none of those has the channel, the first further on that
-- has (as before this choice). (Sharing another
-- channel's number when its confusion was small was measured with size-pool and left out: at half the
-- rule it turned channel-exact calls into probable/ambiguous ones and gained no exact ones.)
-- KEYS[1..13] see lib.lua, KEYS[14] the new session's hash, KEYS[15] the visitor's session index
--   ({pool:P}:visitor-sessions:<visitor>: every session the visitor had here, for erasure),
--   KEYS[16] the hash of the session the engine believes the visitor holds here (KEYS[14] when it
--   knows none): a sticky renewal extends that hash's TTL, so its key must be declared; when the
--   visitor's live session is another one, the script answers {'retry', sid} having changed
--   nothing but the reclaim, and the engine runs it again with that session's key.
-- ARGV: 1 now, 2 leaseMs, 3 holdMs, 4 policy ('fallback'|'recycle-oldest'|'share-channel'),
--       5 mode ('assign'|'sticky'), 6 visitorId, 7 new session id, 8 pool id, 9 property id (8, 9 unused:
--       the key and the pool's configuration say them),
--       10 how many pieces the attribution JSON comes in, 11 history cutoff, 12 channel (source/medium/
--       campaign digest), 13 browser time zone ('' if unknown), 14 ttlMs (history window after the
--       hold), 15 history depth (sessions kept per number), 16 the browser's UTC offset now in minutes
--       ('' if unknown), 17 after-the-visit scale, 18 its median minutes, 19 its sigma, 20 zone factor
--       (a call told apart by zones), 21.. the attribution JSON in pieces of at most 64 bytes (fields a1, a2, ...: small values keep
--       the hash in Redis's compact encoding), then the property's session retention in ms ('' = kept
--       until erased, under the pool's own TTL)
-- Returns {'sticky'|'new'|'recycled'|'shared', sid, number, leaseExpiresAt} | {'retry', sid} | {'fallback'} | {'none'}
--   | {'unsynced'} | {'unmigrated'}
-- synced (sync.lua has run: 'rev') and in this layout (see migrated()), in one read
local meta = redis.call('HMGET', K.meta, 'rev', 'layout')
if not meta[1] then
  return {'unsynced'}
end
if meta[2] ~= '2' then
  return {'unmigrated'}
end
local now, leaseMs, holdMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local policy, mode, visitor = ARGV[4], ARGV[5], ARGV[6]
local cutoff = tonumber(ARGV[11])
local channel, ttlMs = ARGV[12], tonumber(ARGV[14])
local zone = ARGV[16]
local afterScale, afterMedian, afterSigma = tonumber(ARGV[17]), tonumber(ARGV[18]), tonumber(ARGV[19])
local zoneFactor = tonumber(ARGV[20])
local FREE_LOOK, SHARE_LOOK = 8, 32
local retentionMs = ARGV[21 + tonumber(ARGV[10])] or ''
reclaim(now, holdMs)

-- the session the visitor now holds goes into its visitor's index and, when the property says,
-- under its session retention (the index lives as long as the visitor's newest session)
local function remember(skey, sid)
  redis.call('SADD', KEYS[15], sid)
  if retentionMs ~= '' then
    redis.call('PEXPIRE', skey, retentionMs)
    redis.call('PEXPIRE', KEYS[15], retentionMs)
  end
end

-- K.channel holds '<channel>|<utc offset>' of a number's last visit: its channel and its offset
local function split_channel(info)
  local bar = string.find(info, '|', 1, true)
  return bar and string.sub(info, 1, bar - 1) or info, bar and string.sub(info, bar + 1) or ''
end

-- the number's confusion with the new visit (see above) and whether its last visit had the same channel
-- ('info': K.channel's field for n when the caller read it already)
local function confusion(n, leftAt, live, info)
  local w = 1
  if not live then
    local m = math.max(0.05, (now - leftAt) / 60000)
    local z = (math.log(m) - math.log(afterMedian)) / afterSigma
    w = afterScale * math.exp(-0.5 * z * z) / (m * afterSigma * 2.5066282746)
  end
  local ch, lastZone = split_channel(info or redis.call('HGET', K.channel, n) or '')
  if zone ~= '' and lastZone ~= '' and lastZone ~= zone then
    w = w * zoneFactor
  end
  return w, ch == channel
end

local expiry = now + leaseMs

-- sticky: the visitor's live session keeps its number (unless the number has left the pool)
-- (a session is live while its number's owner: the owner goes when the hold ends, and changes
-- when the number is recycled or shared)
local sid = redis.call('HGET', K.visitors, visitor)
if sid then
  local skey = KEYS[16]
  if skey == KEYS[14] or string.sub(skey, -#random_part(sid) - 3) ~= ':s:' .. random_part(sid) then
    return {'retry', sid}
  end
  local n = redis.call('HGET', skey, 'n')
  if n and redis.call('HGET', K.owner, n) == sid and redis.call('SISMEMBER', K.numbers, n) == 1 then
    redis.call('ZREM', K.holding, n)
    redis.call('ZADD', K.leased, ms(expiry), n)
    local renewed = {'le', ms(expiry), 'ne', ms(expiry + holdMs)}
    -- back through another channel (another campaign's ad) while the visit keeps its number: the
    -- visit's touch becomes the new one, which a call is credited to (the request carries the first
    -- touch with it), and the number's last channel with it; the pieces past the new ones are cut
    -- (a reader stops at the first missing piece)
    if split_channel(redis.call('HGET', K.channel, n) or '') ~= channel then
      local pieces = tonumber(ARGV[10])
      for i = 1, pieces do
        renewed[#renewed + 1] = 'a' .. i
        renewed[#renewed + 1] = ARGV[20 + i]
      end
      redis.call('HDEL', skey, 'a' .. (pieces + 1))
      redis.call('HSET', K.channel, n, channel .. '|' .. zone)
    end
    redis.call('HSET', skey, unpack(renewed))
    redis.call('PEXPIRE', skey, ms(leaseMs + holdMs + ttlMs))
    remember(skey, sid)
    return {'sticky', sid, n, ms(expiry)}
  end
end
if mode == 'sticky' then
  return {'none'}
end

-- share-channel: the least confusable number of the same channel among the SHARE_LOOK whose visit
-- left first and the SHARE_LOOK whose lease ends first; none of the same channel among those: the
-- first one of the same channel further on, as before
local function shared_number()
  local n, best
  for _, set in ipairs({K.holding, K.leased}) do
    local entries = redis.call('ZRANGE', set, 0, SHARE_LOOK - 1, 'WITHSCORES')
    for i = 1, #entries, 2 do
      local candidate = entries[i]
      if redis.call('SISMEMBER', K.numbers, candidate) == 1 then
        -- a held number's score is its hold end: its visit left holdMs before
        local c, same = confusion(candidate, tonumber(entries[i + 1]) - holdMs, set == K.leased)
        if same and (not n or c < best) then
          n, best = candidate, c
        end
      end
    end
  end
  for _, set in ipairs({K.holding, K.leased}) do
    if not n then
      for _, candidate in ipairs(redis.call('ZRANGE', set, SHARE_LOOK, -1)) do
        if string.sub(redis.call('HGET', K.channel, candidate) or '', 1, #channel + 1) == channel .. '|'
            and redis.call('SISMEMBER', K.numbers, candidate) == 1 then
          n = candidate
          break
        end
      end
    end
  end
  return n
end

-- recycle-oldest: the number whose hold ends first, else whose lease ends first, among the pool's
-- numbers (numbers dropped from the configuration are skipped: they leave when their session ends)
-- (and sets oldest_from to the set it was in)
local oldest_from
local function oldest_number()
  local n
  for _, set in ipairs({K.holding, K.leased}) do
    local i = 0
    while not n do
      local candidate = redis.call('ZRANGE', set, i, i)[1]
      if not candidate then
        break
      end
      if redis.call('SISMEMBER', K.numbers, candidate) == 1 then
        n, oldest_from = candidate, set
      end
      i = i + 1
    end
  end
  return n
end

-- Whether this visitor's own number was recycled from its page within the last lease (the session
-- KEYS[16] names is the visitor's, and was cut before its lease ended): the snippet asks again on the
-- 410 its heartbeat then gets. Taking another live page's number for it would make that page ask in
-- turn: a chain of recycles through the pages while the pool has neither a free nor a held number,
-- each leaving calls ambiguous. recycle-oldest means the oldest visit gives its number up, so it gets
-- the default number instead (a held number, whose visitor has left, it may still take).
local function bumped_from_its_page()
  if KEYS[16] == KEYS[14] then
    return false
  end
  local r = string.match(KEYS[16], ':s:([^:]+)$')
  local at = r and redis.call('HGET', K.recycled, r)
  if not at or now - tonumber(at) >= leaseMs then
    return false
  end
  local s = redis.call('HMGET', KEYS[16], 'v', 'le')
  return s[1] == visitor and tonumber(s[2] or '0') > tonumber(at)
end

-- the recycled number's earlier session ends now, cut short (K.recycled: endsAt is when it really
-- ended, its naturalEndsAt stays, so calls in its natural hold are ambiguous)
local history, opens = false, {}
local function end_owner_session(n)
  history = redis.call('HGET', K.histories, n)
  if history then
    opens = end_open_sessions(history, now, true)
  end
end

local kind = 'new'
local n
local free = redis.call('ZRANGE', K.free, 0, FREE_LOOK - 1, 'WITHSCORES')
if #free > 0 then
  -- a free number's score is when its hold ended: its last visit left holdMs before; the
  -- candidates' last channels in one read
  local names = {}
  for i = 1, #free, 2 do
    names[#names + 1] = free[i]
  end
  local infos = redis.call('HMGET', K.channel, unpack(names))
  local best
  for i = 1, #free, 2 do
    local c = confusion(free[i], tonumber(free[i + 1]) - holdMs, false, infos[(i + 1) / 2] or '')
    if not n or c < best then
      n, best = free[i], c
    end
  end
  redis.call('ZREM', K.free, n)
else
  -- no free number: the pool is exhausted, whatever its policy then does (counted here, once)
  redis.call('HINCRBY', K.stats, 'exhausted', 1)
  if policy == 'share-channel' then
    n, kind = shared_number(), 'shared'
  elseif policy == 'recycle-oldest' then
    n, kind = oldest_number(), 'recycled'
    if n and oldest_from == K.leased and bumped_from_its_page() then
      n = nil
    end
  end
  if not n then
    return {'fallback'}
  end
  redis.call('HINCRBY', K.stats, kind, 1)
  if kind == 'recycled' then
    end_owner_session(n)
    redis.call('ZREM', oldest_from, n)
  else
    -- shared: the earlier visit keeps its own lease and hold in its session; the number now follows
    -- the new visit (its lease can only lengthen the number's)
    redis.call('ZREM', K.holding, n)
  end
end

sid = ARGV[7]
-- the session's fields in one write
local fields = {'v', visitor, 'n', n, 't', ms(now), 'le', ms(expiry), 'ne', ms(expiry + holdMs)}
for i = 1, tonumber(ARGV[10]) do
  fields[#fields + 1] = 'a' .. i
  fields[#fields + 1] = ARGV[20 + i]
end
if ARGV[13] ~= '' then
  fields[#fields + 1] = 'tz'
  fields[#fields + 1] = ARGV[13]
end
redis.call('HSET', KEYS[14], unpack(fields))
redis.call('PEXPIRE', KEYS[14], ms(leaseMs + holdMs + ttlMs))
remember(KEYS[14], sid)
redis.call('ZADD', K.leased, 'GT', ms(expiry), n)
redis.call('HSET', K.channel, n, channel .. '|' .. zone)
redis.call('HSET', K.owner, n, sid)
redis.call('HSET', K.visitors, visitor, sid)
redis.call('HSET', K.live, random_part(sid), visitor)
-- resolving reads only the latest sessions of a number: keep a bounded few (the oldest go), and
-- none over since before the window
-- (Redis's Lua hashes every byte of every string it makes: the history, ~1.3 KB when full, is
-- read once and written once, cut by positions, the recycled session's entry closed on the way)
if kind ~= 'recycled' then
  history = redis.call('HGET', K.histories, n)
end
local entry = history_entry(random_part(sid), now, nil)
if not history then
  put_history(n, 1, entry)
else
  local space = string.find(history, ' ', 1, true)
  local count, from = tonumber(string.sub(history, 1, space - 1)) + 1, space + 1
  for _ = 1, count - tonumber(ARGV[15]) do -- past the depth, the oldest go
    from = string.find(history, ' ', from, true) + 1
    count = count - 1
  end
  local pieces = closed_pieces(history, from, opens, now, {count, ' '})
  pieces[#pieces + 1] = ' '
  pieces[#pieces + 1] = entry
  if entry_start(history, from) >= cutoff then
    redis.call('HSET', K.histories, n, table.concat(pieces))
  else
    local left, removed = trim_entries(table.concat(pieces, '', 3), cutoff)
    put_history(n, count - removed, left)
  end
end
return {kind, sid, n, ms(expiry)}
