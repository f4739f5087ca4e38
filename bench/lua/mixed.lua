-- A mixed read/write workload for wrk: each request picks one of the seeded users at random, then
-- reads their conversation list (85%), reads one conversation (10%) or posts a message (5%), which
-- is a chat turn (the message, the model's answer, the ledger). BENCH_POST=append posts the message
-- alone instead (POST .../messages/import), as posting did when this workload was first measured,
-- before the chat turn took that endpoint over.
-- The users come from the file named by BENCH_USERS: one "token conversationId" pair per line.
local users = {}

init = function(args)
  for line in io.lines(os.getenv("BENCH_USERS")) do
    local token, conversation = line:match("(%S+)%s+(%S+)")
    users[#users + 1] = { token = token, conversation = conversation }
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  local user = users[math.random(#users)]
  local headers = { ["Authorization"] = "Bearer " .. user.token }
  local pick = math.random(100)
  if pick <= 85 then
    return wrk.format("GET", "/api/conversations?limit=20", headers)
  elseif pick <= 95 then
    return wrk.format("GET", "/api/conversations/" .. user.conversation, headers)
  end
  headers["Content-Type"] = "application/json"
  if os.getenv("BENCH_POST") == "append" then
    return wrk.format("POST", "/api/conversations/" .. user.conversation .. "/messages/import", headers,
      '{"messages":[{"role":"user","content":"a message from the mixed workload"}]}')
  end
  return wrk.format("POST", "/api/conversations/" .. user.conversation .. "/messages", headers,
    '{"content":"a message from the mixed workload"}')
end

errors = 0
response = function(status, headers, body)
  if status >= 400 then
    errors = errors + 1
  end
end
