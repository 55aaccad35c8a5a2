-- Revokes one API key: its record goes, so the key no longer authenticates anywhere.
-- KEYS[1] the API key catalogue hash ({apikeys}:by-id)
-- ARGV[1] key id
-- Returns 1 if it existed, 0 otherwise.
return redis.call('HDEL', KEYS[1], ARGV[1])
