-- Puts a recorded call in its shard's transcription queue, due now, unless it has a transcript, was
-- given up ('transcription-failed') or is queued already (the calls stream is read again after a
-- restart: a call is queued once).
-- KEYS[1] queue {calls:P}:transcriptions (zset: call id by when it is due, ms)
-- KEYS[2] call hash {calls:P}:call:<id>
-- ARGV: call id, now ms. Returns 1 queued, 0 not.
if redis.call('HEXISTS', KEYS[2], 'transcript') == 1 or redis.call('HEXISTS', KEYS[2], 'transcription-failed') == 1
    or redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
