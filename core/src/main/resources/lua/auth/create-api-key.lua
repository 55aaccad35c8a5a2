-- Adds one API key record (its id is random; a clash is refused, never overwritten).
-- KEYS[1] the API key catalogue hash ({apikeys}:by-id)
-- ARGV[1] key id, ARGV[2] the record as JSON (property, scope, name, createdAt, sha256 of the key)
-- Returns 1 if added, 0 if the id was taken.
return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
