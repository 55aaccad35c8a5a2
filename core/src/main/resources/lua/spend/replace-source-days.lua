-- Replaces one source and medium's spend on whole days at once (an ad platform's export): on every day
-- named in the upload, the fields of that source and medium are deleted, then the upload's rows are added;
-- the day's other sources (another platform's export, our own CSV's rows) are untouched. All or nothing.
-- The source and medium match whatever their case, as the reports join spend to calls ('Google' rows
-- an earlier upload wrote are replaced by an export uploaded as 'google').
-- KEYS: the spend hashes {roll:P}:spend:<date>, one per day in the upload
-- ARGV[1]: the fields' prefix "source\tmedium\t"; then triples (key index, field, amount in minor units)
local prefix = string.lower(ARGV[1])
for i = 1, #KEYS do
  for _, field in ipairs(redis.call('HKEYS', KEYS[i])) do
    if string.lower(string.sub(field, 1, #prefix)) == prefix then
      redis.call('HDEL', KEYS[i], field)
    end
  end
end
for i = 2, #ARGV, 3 do
  redis.call('HINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2])
end
return #KEYS
