-- The clock by which Redis names a calls stream's entries: TIME on the node that holds the stream
-- (on Redis Cluster, TIME sent alone goes to whichever node the client picks, whose clock may differ).
-- Reads only.
-- KEYS[1] the calls stream {calls:P}:events, named so that the script runs where it lives
-- Returns TIME's answer: {seconds, microseconds}.
return redis.call('TIME')
