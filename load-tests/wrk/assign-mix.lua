-- wrk script: the snippet's traffic against dni-server.
--   MIX (env, default "new=40,returning=20,heartbeat=30,release=10"): shares of
--   new-visitor assigns (no visitorId), returning-visitor assigns (a visitorId this thread saw),
--   heartbeats and releases (session ids this thread got back). Until a thread has seen a session,
--   everything is a new-visitor assign. MIX=live=1: only GET /health/live (the host's latency floor).
--   RATE (env, requests/s for the whole run, optional) with CONNECTIONS and THREADS (env, the same
--   as wrk's -c and -t): each connection waits an exponential time of mean CONNECTIONS/RATE s before its
--   next request (Poisson arrivals; wrk has no open-model mode; see README).
--   PROPERTY (env, default "bench"), ORIGIN (env, default "https://bench.example").
local property = os.getenv("PROPERTY") or "bench"
local origin = os.getenv("ORIGIN") or "https://bench.example"
local mixspec = os.getenv("MIX") or "new=40,returning=20,heartbeat=30,release=10"
local rate = tonumber(os.getenv("RATE") or "0")
local conns = tonumber(os.getenv("CONNECTIONS") or "1")

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local mix = {}
local total = 0
for name, share in string.gmatch(mixspec, "(%a+)=(%d+)") do
  total = total + tonumber(share)
  table.insert(mix, { name = name, upto = total })
end

local sessions = {}   -- ring of session ids (heartbeat / release targets)
local visitors = {}   -- ring of visitor ids (returning visitors)
local visitor_sessions = {} -- the session each of them was last given (same index)
local RING = 5000
local ns, nv = 0, 0
counts = {}           -- "kind status" -> n (global: done() reads it from each thread)

local function kind_of_next()
  if ns == 0 then return "new" end
  local r = math.random(total)
  for _, m in ipairs(mix) do
    if r <= m.upto then return m.name end
  end
  return "new"
end

local headers = { ["Content-Type"] = "application/json", ["Origin"] = origin }

function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
end

function delay()
  if rate > 0 then
    -- every connection waits an exponential time of mean CONNECTIONS / RATE s before its next request:
    -- together the connections make Poisson arrivals at RATE, as independent browsers do. A constant
    -- wait kept every connection in step, so the server saw bursts of CONNECTIONS requests at once
    return math.floor(-math.log(1 - math.random()) * conns * 1000 / rate + 0.5)
  end
  return 0
end

-- a returning visitor sends its visitor id and the session it was last given, as the snippet does
local function assign_body(visitor, session)
  local v = visitor and ('"visitorId":"' .. visitor .. '",') or ""
  if session then v = v .. '"sessionId":"' .. session .. '",' end
  return '{"property":"' .. property .. '",' .. v ..
    '"page":{"url":"https://bench.example/landing?utm_source=google&utm_medium=cpc","referrer":"https://www.google.com/"},' ..
    '"attribution":{"source":"google","medium":"cpc","campaign":"bench","keyword":"plumber near me","gclid":"EAIaIQobChMI"}}'
end

local live = mixspec == "live=1"   -- the host's floor: a no-op GET /health/live, nothing else

function request()
  if live then return wrk.format("GET", "/health/live") end
  local kind = kind_of_next()
  if kind == "new" then
    return wrk.format("POST", "/v1/assign", headers, assign_body(nil))
  elseif kind == "returning" and nv > 0 then
    local i = math.random(math.min(nv, RING))
    return wrk.format("POST", "/v1/assign", headers, assign_body(visitors[i], visitor_sessions[i]))
  elseif kind == "heartbeat" then
    return wrk.format("POST", "/v1/sessions/" .. sessions[math.random(math.min(ns, RING))] .. "/heartbeat", headers, "")
  elseif kind == "release" then
    return wrk.format("POST", "/v1/sessions/" .. sessions[math.random(math.min(ns, RING))] .. "/release", headers, "")
  end
  return wrk.format("POST", "/v1/assign", headers, assign_body(nil))
end

function response(status, hdrs, body)
  -- wrk does not say which request a response answers: the kind is read from the body's shape
  local kind = "other"
  local sid = body and string.match(body, '"sessionId"%s*:%s*"([^"]+)"')
  if sid then
    kind = "assign"
    ns = ns + 1
    sessions[((ns - 1) % RING) + 1] = sid
    local vid = string.match(body, '"visitorId"%s*:%s*"([^"]+)"')
    if vid then
      nv = nv + 1
      visitors[((nv - 1) % RING) + 1] = vid
      visitor_sessions[((nv - 1) % RING) + 1] = sid
    end
    if string.find(body, '"fallback"%s*:%s*true') then kind = "assign-fallback" end
  elseif body and string.find(body, '"leaseExpiresAt"') then
    kind = "heartbeat"
  elseif status == 204 then
    kind = "release"
  elseif body and string.find(body, '"fallback"%s*:%s*true') then
    kind = "assign-fallback"
  elseif body and string.match(body, '"error"%s*:%s*"([^"]+)"') then
    kind = "error:" .. string.match(body, '"error"%s*:%s*"([^"]+)"')
  end
  local key = kind .. " " .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, n in pairs(c or {}) do all[k] = (all[k] or 0) + n end
  end
  -- 410 on a heartbeat or release is the engine's answer for a session whose number was recycled to
  -- a newer visit (the pool is exhausted under recycle-oldest): expected, counted apart from errors
  local gone, bad = 0, 0
  for k, n in pairs(all) do
    local status = tonumber(string.match(k, " (%d+)$"))
    if status == 410 then gone = gone + n elseif status and status >= 400 then bad = bad + n end
  end
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f " ..
    "socket_errors=%d timeouts=%d non2xx=%d gone=%d\n",
    summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout, bad, gone))
  local keys = {}
  for k in pairs(all) do table.insert(keys, k) end
  table.sort(keys)
  for _, k in ipairs(keys) do
    io.write(string.format("COUNT %s %d\n", k, all[k]))
  end
end
