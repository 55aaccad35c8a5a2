-- Revokes one API key: its record goes, so the key no longer authenticates anywhere, and its last use.
-- KEYS[1] the API key catalogue hash ({apikeys}:by-id)
-- KEYS[2] the keys' last uses ({apikeys}:last-used)
-- ARGV[1] key id
-- Returns 1 if it existed, 0 otherwise.
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])
