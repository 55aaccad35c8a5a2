-- Once per deployment: the events' cursors of the calls streams that were read before the events had
-- cursors of their own start where the webhooks' cursors are (the one cursor then moved past an entry's
-- GA4 and Meta events and its webhook together), so an upgraded dni-server re-reads nothing. A stream
-- without a cursor at all, or created after this ran, is read from its start.
-- KEYS[1] the marker {webhooks}:events-cursors, then per stream its events' cursor and its webhooks' cursor
-- ({webhooks}:events-cursor:<stream>, {webhooks}:cursor:<stream>). Returns 1 if it ran now, 0 if before.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
for i = 2, #KEYS, 2 do
  local crm = redis.call('GET', KEYS[i + 1])
  if crm and redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('SET', KEYS[i], crm)
  end
end
redis.call('SET', KEYS[1], '1')
return 1
