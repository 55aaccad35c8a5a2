-- Replaces the spend of whole days at once: every day named in the upload is emptied, then its rows
-- are added (rows of one day with the same source/medium/campaign add up). All or nothing.
-- KEYS: the spend hashes {roll:P}:spend:<date>, one per day in the upload
-- ARGV: triples (key index, field "source\tmedium\tcampaign", amount in minor units)
for i = 1, #KEYS do
  redis.call('DEL', KEYS[i])
end
for i = 1, #ARGV, 3 do
  redis.call('HINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2])
end
return #KEYS
