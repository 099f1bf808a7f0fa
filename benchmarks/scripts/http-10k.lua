-- wrk script: each request checks one of 10,000 keys, chosen at random per request.
-- Bodies are built once so the client spends no time formatting them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {}
for i = 1, 10000 do
  bodies[i] = '{"key":"bench:user:' .. i .. '","tokens":1}'
end
math.randomseed(42)
request = function()
  return wrk.format(nil, nil, nil, bodies[math.random(1, 10000)])
end
