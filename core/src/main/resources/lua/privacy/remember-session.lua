-- Puts a website session under its property's session retention and into its visitor's index (the
-- index lets DELETE /v1/visitors/{id} find every session of a visitor, not only the live one).
-- KEYS[1] session hash {pool:P}:s:<random part of sid>   KEYS[2] visitor index {pool:P}:visitor-sessions:<visitor>
-- ARGV: session id, retention ms ('' = kept until erased)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('SADD', KEYS[2], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  -- the index lives as long as the visitor's newest session
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
