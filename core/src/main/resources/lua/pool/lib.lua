-- Shared helpers, prepended to every pool script (see RedisPoolEngine for the key layout).
-- Every pool script takes the same thirteen KEYS first, in this order:
--   1 meta  2 numbers  3 free  4 leased  5 holding  6 owner  7 visitors  8 stats  9 history-numbers
--   10 channel (number -> channel of the visit that took it last, for the share-channel policy)
--   11 live (random part of a live session's id -> its visitor)  12 histories (number -> its sessions)
--   13 recycled (random part of a session a recycle cut short -> when)
-- A script touches no key it is not given. A session's hash is written only by the scripts called
-- for that session, which are given its key (assign, heartbeat, release, evidence); what happens to
-- it from elsewhere (its number's hold running out, its number recycled) is written in the pool's
-- keys instead, and readers derive its state from both and the time (see SessionCodec).
-- Times are epoch milliseconds from the engine's injected clock (ARGV), never Redis TIME.
local K = {
  meta = KEYS[1], numbers = KEYS[2], free = KEYS[3], leased = KEYS[4], holding = KEYS[5],
  owner = KEYS[6], visitors = KEYS[7], stats = KEYS[8], histnums = KEYS[9],
  channel = KEYS[10], live = KEYS[11], histories = KEYS[12], recycled = KEYS[13]
}

-- integers as plain digits (Lua would otherwise print large numbers in exponent form)
local function ms(x)
  return string.format('%.0f', x)
end

-- a session id is <pool id>.<random>; the pool's keys name the random part only (the tag names the pool)
local function random_part(sid)
  local dot = string.find(sid, '.', 1, true)
  return dot and string.sub(sid, dot + 1) or sid
end

-- ms in base 36 (8 characters until 2059), as histories keep them: every session is in one
local DIGITS36 = '0123456789abcdefghijklmnopqrstuvwxyz'
local function b36(x)
  local out = ''
  repeat
    local d = x % 36
    out = string.sub(DIGITS36, d + 1, d + 1) .. out
    x = (x - d) / 36
  until x == 0
  return out
end

-- A number's history: its latest sessions, oldest first, in its field of K.histories:
-- '<count> <entry> <entry> ...', an entry '+RANDOM,START' while the session may still be live and
-- 'RANDOM,START,END' once it is over (its number's hold ran out, or the number was recycled), times
-- in base 36. Scripts change it with plain searches and cuts (append, cut the oldest, close what is
-- open), never by decoding every entry, and keep the count in front so that cutting to the depth
-- needs no count of the entries: an assign meets its number's whole history.
local function history_entry(r, startMs, endMs)
  if endMs then
    return r .. ',' .. b36(startMs) .. ',' .. b36(endMs)
  end
  return '+' .. r .. ',' .. b36(startMs)
end

-- the count and the entries of a stored history
local function history_parts(raw)
  local space = string.find(raw, ' ', 1, true)
  return tonumber(string.sub(raw, 1, space - 1)), string.sub(raw, space + 1)
end

local function put_history(n, count, entries)
  if count == 0 then
    redis.call('HDEL', K.histories, n)
    redis.call('SREM', K.histnums, n)
  else
    redis.call('HSET', K.histories, n, count .. ' ' .. entries)
    redis.call('SADD', K.histnums, n)
  end
end

-- whether a recycle cut the session short (nothing else from elsewhere ends a session before its
-- own lease and hold have: its number's hold ends after every one of its sessions' holds)
local function recycled(sid)
  return redis.call('HEXISTS', K.recycled, random_part(sid)) == 1
end

-- Every session still open in a number's history 'raw' is over at 'at' (each cut short by a
-- recycle when 'recycle'): its live entry and, if it is still its visitor's live session, its
-- visitors entry go. Returns where the open entries are ({plus, stop} pairs: the '+' that opens
-- each, and the space or end after it); '+' appears nowhere else, so plain searches find them.
local function end_open_sessions(raw, at, recycle)
  local opens = {}
  local plus = string.find(raw, '+', 1, true)
  while plus do
    local stop = string.find(raw, ' ', plus, true) or #raw + 1
    local r = string.sub(raw, plus + 1, string.find(raw, ',', plus, true) - 1)
    if recycle then
      redis.call('HSET', K.recycled, r, ms(at))
    end
    local v = redis.call('HGET', K.live, r)
    if v then
      local sid = redis.call('HGET', K.visitors, v)
      if sid and random_part(sid) == r then
        redis.call('HDEL', K.visitors, v)
      end
      redis.call('HDEL', K.live, r)
    end
    opens[#opens + 1] = {plus, stop}
    plus = string.find(raw, '+', stop, true)
  end
  return opens
end

-- The pieces of history 'raw' from position 'from' on, its open entries closed at 'at': each
-- piece a cut of 'raw' or a closed entry, so that one concatenation makes the new history (Redis's
-- Lua hashes every byte of every string it makes: no copy of the whole history in between).
local function closed_pieces(raw, from, opens, at, pieces)
  local e36 = b36(at)
  for _, o in ipairs(opens) do
    if o[1] >= from then
      pieces[#pieces + 1] = string.sub(raw, from, o[1] - 1)
      pieces[#pieces + 1] = string.sub(raw, o[1] + 1, o[2] - 1) .. ',' .. e36
      from = o[2]
    end
  end
  pieces[#pieces + 1] = string.sub(raw, from)
  return pieces
end

-- Every session still open on the number is over at 'at' (see end_open_sessions), its history
-- stored so.
local function close_sessions(n, at, recycle)
  local raw = redis.call('HGET', K.histories, n)
  local opens = raw and end_open_sessions(raw, at, recycle)
  if opens and #opens > 0 then
    redis.call('HSET', K.histories, n, table.concat(closed_pieces(raw, 1, opens, at, {})))
  end
end

-- Expired leases go into their hold (which ends lease expiry + holdMs); expired holds end the
-- number's sessions and give the number back to the free set, idle since the hold ended (numbers
-- no longer in the pool are dropped instead). Returns how many transitions it made.
local function reclaim(now, holdMs)
  local changed = 0
  local expired = redis.call('ZRANGEBYSCORE', K.leased, '-inf', ms(now), 'WITHSCORES')
  for i = 1, #expired, 2 do
    local n, expiry = expired[i], tonumber(expired[i + 1])
    redis.call('ZREM', K.leased, n)
    redis.call('ZADD', K.holding, ms(expiry + holdMs), n)
    changed = changed + 1
  end
  local over = redis.call('ZRANGEBYSCORE', K.holding, '-inf', ms(now), 'WITHSCORES')
  for i = 1, #over, 2 do
    local n, ends = over[i], tonumber(over[i + 1])
    redis.call('ZREM', K.holding, n)
    close_sessions(n, ends, false)
    redis.call('HDEL', K.owner, n)
    if redis.call('SISMEMBER', K.numbers, n) == 1 then
      redis.call('ZADD', K.free, ms(ends), n)
    end
    changed = changed + 1
  end
  return changed
end

-- Where the parts of the entry of 'history' that begins at 'pos' end: the space (or the end)
-- after it, the comma after its random part, and the comma before its end time (nil while open).
local function entry_at(history, pos)
  local stop = string.find(history, ' ', pos, true) or #history + 1
  local comma = string.find(history, ',', pos, true)
  local comma2 = string.find(history, ',', comma + 1, true)
  if comma2 and comma2 > stop then
    comma2 = nil
  end
  return stop, comma, comma2
end

-- the start (ms) of the entry of 'history' that begins at 'pos'
local function entry_start(history, pos)
  local stop, comma, comma2 = entry_at(history, pos)
  return tonumber(string.sub(history, comma + 1, (comma2 or stop) - 1), 36)
end

-- Drops from a number's history entries the sessions over since before the cutoff (a session
-- that may still be live, or ended within the window, stays whatever its start), with their
-- recycle marks. Only entries that started before the cutoff are read: the history is ordered by
-- start, so most trims read one. Their hashes expire by their TTL, which ends with the window too.
-- Returns the entries left and how many it dropped.
local function trim_entries(entries, cutoff)
  local kept, removed, pos = {}, 0, 1
  while pos <= #entries do
    if entry_start(entries, pos) >= cutoff then
      if removed == 0 then
        return entries, 0
      end
      kept[#kept + 1] = string.sub(entries, pos)
      break
    end
    local stop, comma, comma2 = entry_at(entries, pos)
    if comma2 and tonumber(string.sub(entries, comma2 + 1, stop - 1), 36) < cutoff then
      redis.call('HDEL', K.recycled, string.sub(entries, pos, comma - 1))
      removed = removed + 1
    else
      kept[#kept + 1] = string.sub(entries, pos, stop - 1)
    end
    pos = stop + 1
  end
  return table.concat(kept, ' '), removed
end

-- trim_entries on a number's stored history; returns how many it dropped
local function trim(n, cutoff)
  local raw = redis.call('HGET', K.histories, n)
  if not raw then
    redis.call('SREM', K.histnums, n)
    return 0
  end
  local count, entries = history_parts(raw)
  local left, removed = trim_entries(entries, cutoff)
  if removed > 0 then
    put_history(n, count - removed, left)
  end
  return removed
end

-- whether the pool's keys are in this layout (see migrate.lua); sync.lua marks a new pool so
local function migrated()
  return redis.call('HGET', K.meta, 'layout') == '2'
end

-- ---------------------------------------------------------------------------------------------
