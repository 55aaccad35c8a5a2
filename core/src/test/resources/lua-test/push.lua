-- Test script: appends ARGV[1] to the list KEYS[1] and returns the list's new length.
return redis.call('RPUSH', KEYS[1], ARGV[1])
