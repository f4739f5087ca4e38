-- A mixed workload for the LLM response cache: users (API keys from BENCH_KEYS, one per line) ask
-- first-turn questions at temperature 0 about 30 topics, popular topics more often (skewed like
-- real support traffic), each in one of three phrasings. Repeats are exact hits, other phrasings
-- of a topic the same user asked are semantic hits, everything else goes to the upstream.
local keys = {}
local topics = {
  "reset my password", "change my email address", "delete my account", "export my conversations",
  "create an API key", "revoke an API key", "see my monthly usage", "raise my budget",
  "upload a PDF document", "search my old messages", "rename a conversation", "stop a streaming answer",
  "use the OpenAI Python SDK", "pick a different model", "set a system prompt", "share a conversation",
  "enable two-factor login", "see which model answered", "read the cost of an answer", "import a chat history",
  "find the rate limits", "contact support", "switch to dark mode", "cite a document in an answer",
  "delete an uploaded document", "see why a call failed", "retry a failed answer", "log out everywhere",
  "use the WebSocket API", "check the service status"
}
local phrasings = { "How do I %s?", "How can I %s?", "What is the way to %s?" }

init = function(args)
  for line in io.lines(os.getenv("BENCH_KEYS")) do
    keys[#keys + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  local key = keys[math.random(#keys)]
  local r = math.random()
  local topic = topics[math.floor(#topics * r * r) + 1]
  local question = string.format(phrasings[math.random(#phrasings)], topic)
  local body = '{"model":"bench-model","temperature":0,"max_tokens":64,"messages":[{"role":"user","content":"'
      .. question .. '"}]}'
  return wrk.format("POST", "/v1/chat/completions",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end
