-- One consistent snapshot of the whole configuration.
-- KEYS[1] {cfg}:properties  KEYS[2] {cfg}:pools  KEYS[3] {cfg}:statics  KEYS[4] {cfg}:pool-rev
return {
  redis.call('HGETALL', KEYS[1]),
  redis.call('HGETALL', KEYS[2]),
  redis.call('HGETALL', KEYS[3]),
  redis.call('HGETALL', KEYS[4])
}
