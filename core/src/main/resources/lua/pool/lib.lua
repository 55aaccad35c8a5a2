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

-- A number's history: its latest sessions, oldest first, an entry each: '+RANDOM,START' while the
-- session may still be live and 'RANDOM,START,END' once it is over (its number's hold ran out, or
-- the number was recycled), times in base 36. It is kept in two fields of K.histories, each
-- '<count> <entry> <entry> ...' (the count alone when it holds none):
--   <n>    the older part: closed entries only
--   <n>>   the recent part, every entry newer than the older part's
-- An assign appends to the recent part; once that holds RECENT entries, those before its first open
-- one move into the older part, cut there to the depth and the window. So an assign reads and
-- writes a few hundred bytes, and sends that to replicas and the AOF, where it read, cut and wrote
-- the whole history (~1.3 KB) before (load-tests README). Between moves a history holds up to
-- depth + RECENT - 1 entries; readers take the latest they need. A number without a recent part has
-- its history from before it in the older field, open entries included: the first script that
-- changes it moves it all into the recent part (recent_of). Scripts change a part with plain
-- searches and cuts (append, cut, close what is open), never by decoding every entry, and keep the
-- count in front so that cutting to the depth needs no count of the entries.
local RECENT = 8

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

-- the field of number n's recent part (see above)
local function recent_field(n)
  return n .. '>'
end

-- Number n's recent part: its count, its entries ('' if none) and what was stored: 'stored', 'moved'
-- (a history from before the recent part, moved into it now: the caller writes the recent part,
-- the older field is gone), or 'none' (no history: the caller adds the number to K.histnums when it
-- writes one).
local function recent_of(n)
  local raw = redis.call('HGET', K.histories, recent_field(n))
  local state = 'stored'
  if not raw then
    raw = redis.call('HGET', K.histories, n)
    if not raw then
      return 0, '', 'none'
    end
    redis.call('HDEL', K.histories, n)
    state = 'moved'
  end
  local space = string.find(raw, ' ', 1, true)
  if not space then
    return tonumber(raw), '', state
  end
  return tonumber(string.sub(raw, 1, space - 1)), string.sub(raw, space + 1), state
end

local function put_recent(n, count, entries)
  redis.call('HSET', K.histories, recent_field(n), entries == '' and tostring(count) or count .. ' ' .. entries)
end

-- Every session still open on the number is over at 'at' (see end_open_sessions): they are all in
-- its recent part. Returns the recent part as it now is (count, entries, state of recent_of) and
-- whether it changed, for the caller to store (assign appends to it first: one write).
local function close_open(n, at, recycle)
  local count, entries, state = recent_of(n)
  local opens = entries ~= '' and end_open_sessions(entries, at, recycle) or {}
  if #opens > 0 then
    entries = table.concat(closed_pieces(entries, 1, opens, at, {}))
  end
  return count, entries, state, #opens > 0 or state == 'moved'
end

-- close_open, its history stored so
local function close_sessions(n, at, recycle)
  local count, entries, _, changed = close_open(n, at, recycle)
  if changed then
    put_recent(n, count, entries)
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

-- trim_entries on both parts of a number's history (the recent part's entries too can be over
-- since before the window, on a number no assign took for that long); returns how many it dropped
local function trim(n, cutoff)
  local parts = redis.call('HMGET', K.histories, n, recent_field(n))
  if not parts[1] and not parts[2] then
    redis.call('SREM', K.histnums, n)
    return 0
  end
  local removed, left = 0, 0
  for i, field in ipairs({n, recent_field(n)}) do
    local raw = parts[i]
    if raw then
      local space = string.find(raw, ' ', 1, true)
      local count = tonumber(space and string.sub(raw, 1, space - 1) or raw)
      local kept, dropped = '', 0
      if space then
        kept, dropped = trim_entries(string.sub(raw, space + 1), cutoff)
      end
      if dropped > 0 then
        removed = removed + dropped
        count = count - dropped
        if count == 0 and i == 1 then
          redis.call('HDEL', K.histories, field)
        else
          redis.call('HSET', K.histories, field, count == 0 and '0' or count .. ' ' .. kept)
        end
      end
      left = left + count
    end
  end
  if left == 0 then
    redis.call('HDEL', K.histories, n, recent_field(n))
    redis.call('SREM', K.histnums, n)
  end
  return removed
end

-- Appends the new session's entry to number n's recent part (count, entries, state as recent_of
-- gave them), which drops on the way what is over since before the cutoff; once that holds RECENT entries, the closed ones before its first open one move into
-- the older part, which keeps the latest 'depth' less the recent part's and none over since before
-- the cutoff. A recent part of open entries alone past the depth (a number shared on and on) loses
-- its oldest, and the older part goes.
local function append_entry(n, count, entries, state, entry, depth, cutoff)
  if state == 'none' then
    redis.call('SADD', K.histnums, n)
  end
  if entries ~= '' then -- reads only an entry that started before the cutoff: most often the first
    local removed
    entries, removed = trim_entries(entries, cutoff)
    count = count - removed
  end
  count = count + 1
  entries = entries == '' and entry or entries .. ' ' .. entry
  if count >= RECENT then
    local plus = string.find(entries, '+', 1, true) -- the new entry is open: there is one
    if plus > 1 then
      local moving = string.sub(entries, 1, plus - 2)
      local _, spaces = string.gsub(moving, ' ', ' ')
      count, entries = count - spaces - 1, string.sub(entries, plus)
      local older = redis.call('HGET', K.histories, n)
      local oldCount, oldEntries = 0, ''
      if older then
        oldCount, oldEntries = history_parts(older)
      end
      local all, total = oldEntries == '' and moving or oldEntries .. ' ' .. moving, oldCount + spaces + 1
      local from = 1
      for _ = 1, total - math.max(depth - count, 0) do -- past the depth, the oldest go
        from = (string.find(all, ' ', from, true) or #all) + 1
        total = total - 1
      end
      local kept, removed = trim_entries(string.sub(all, from), cutoff)
      total = total - removed
      if total > 0 then
        redis.call('HSET', K.histories, n, total .. ' ' .. kept)
      elseif older then
        redis.call('HDEL', K.histories, n)
      end
    end
    if count > depth then
      local from = 1
      for _ = 1, count - depth do
        from = string.find(entries, ' ', from, true) + 1
      end
      count, entries = depth, string.sub(entries, from)
      redis.call('HDEL', K.histories, n)
    end
  end
  put_recent(n, count, entries)
end

-- whether the pool's keys are in this layout (see migrate.lua); sync.lua marks a new pool so
local function migrated()
  return redis.call('HGET', K.meta, 'layout') == '2'
end

-- ---------------------------------------------------------------------------------------------
