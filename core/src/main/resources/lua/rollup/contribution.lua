-- A call's stored contribution as JSON, its counts written with every digit. cjson writes numbers with
-- 14 significant digits: a value of 1234567890123.45 (123456789012345 cents) was stored as
-- 1.2345678901234e+14, and the call's next change took back 5 cents less than the call had added.
-- The counts are whole numbers; a Lua number holds them exactly up to 2^53, far above the 10^15 cents
-- an amount may be. Counts of 0 are left out (most of a call's are: 54 of 66 for an answered call,
-- a third of what a contribution weighs in Redis); a count read back is `or 0` where it matters.
-- Prepended to the scripts that store a contribution (rollup/apply.lua, privacy/erase-caller-rollup.lua).
local function encodeContribution(c)
  local m = c.m
  c.m = nil
  local rest = cjson.encode(c)
  c.m = m
  local counts = {}
  for metric, v in pairs(m or {}) do
    if v ~= 0 then
      counts[#counts + 1] = cjson.encode(metric) .. ':' .. string.format('%.0f', v)
    end
  end
  local head = '{"m":{' .. table.concat(counts, ',') .. '}'
  if rest == '{}' then
    return head .. '}'
  end
  return head .. ',' .. string.sub(rest, 2)
end
