-- Observes one alert condition of one property at one moment and says whether to send the alert:
-- an episode starts when the condition has held for holdMs (since when it was first seen true) and
-- is sent once; it ends when the condition is seen false, and only then can a new episode be sent.
-- KEYS[1] since {alerts:<property>}:since:<alert>   KEYS[2] sent {alerts:<property>}:sent:<alert>
-- ARGV: active (1/0), now (ms), holdMs
-- Returns 1 if this observation starts an episode to send, else 0.
if ARGV[1] ~= '1' then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'NX')
local since = tonumber(redis.call('GET', KEYS[1]))
if tonumber(ARGV[2]) - since < tonumber(ARGV[3]) then
  return 0
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX') then
  return 1
end
return 0
