-- Observes one alert condition of one property at one moment and says whether to send the alert:
-- an episode starts when the condition has held for holdMs (since when it was first seen true) and
-- is sent once; it ends when the condition is seen false, and only then can a new episode be sent.
-- A check that read its figures before the episode was last seen ending (another server's, slower)
-- must not start a new one from them: an active observation older than the last end changes nothing.
-- KEYS[1] since {alerts:<property>}:since:<alert>   KEYS[2] sent {alerts:<property>}:sent:<alert>
-- KEYS[3] cleared {alerts:<property>}:cleared:<alert> (when the condition was last seen false, ms)
-- ARGV: active (1/0), now (ms), holdMs
-- Returns 1 if this observation starts an episode to send, else 0.
local now = tonumber(ARGV[2])
if ARGV[1] ~= '1' then
  redis.call('DEL', KEYS[1], KEYS[2])
  local cleared = tonumber(redis.call('GET', KEYS[3]) or '0')
  if now > cleared then
    redis.call('SET', KEYS[3], ARGV[2], 'PX', 86400000)
  end
  return 0
end
local cleared = redis.call('GET', KEYS[3])
if cleared and now < tonumber(cleared) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'NX')
local since = tonumber(redis.call('GET', KEYS[1]))
if now - since < tonumber(ARGV[3]) then
  return 0
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX') then
  return 1
end
return 0
