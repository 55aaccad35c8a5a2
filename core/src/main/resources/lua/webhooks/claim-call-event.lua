-- Claims one event of a call for sending to GA4 or Meta: GA4 cannot drop a repeat, so each event
-- (phone_call, qualify_lead, close_convert_lead; meta:Contact, meta:Lead, meta:Purchase) goes at
-- most once per call. Returns 1 if the caller is to send it now, 0 if it was claimed before. The
-- claims live as long as ARGV[2] (ms) from the latest.
-- KEYS[1] {calls:P}:events-sent:<callId>   ARGV: event name, time to live (ms)
if redis.call('HSETNX', KEYS[1], ARGV[1], '1') == 0 then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
