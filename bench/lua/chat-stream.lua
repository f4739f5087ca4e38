-- wrk: POST a streamed chat completion the way the OpenAI SDKs do; the response is read to its end.
-- BENCH_KEY (optional) is sent as the bearer token; BENCH_MODEL names the model (bench-model).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
local portkey = os.getenv("BENCH_PORTKEY_HOST")
if portkey and portkey ~= "" then
  -- through the Portkey AI Gateway: an OpenAI-compatible provider at this base URL
  wrk.headers["x-portkey-provider"] = "openai"
  wrk.headers["x-portkey-custom-host"] = portkey
  wrk.headers["Authorization"] = "Bearer unused-by-the-test-upstream"
end
if os.getenv("BENCH_CACHE") == "1" then
  -- opt in to the exact response cache: every request after the first is a hit
  wrk.headers["Cache-Control"] = "max-age=3600"
end
local model = os.getenv("BENCH_MODEL")
if not model or model == "" then
  model = "bench-model"
end
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"hello"}],"stream":true,"stream_options":{"include_usage":true}}'
