package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/chat/completions} keeps every field both ways: what the client sent reaches an
 * OpenAI-compatible upstream as sent, what the upstream answered reaches the client as answered, and
 * the translation to Anthropic's Messages API carries tools, images and their results.
 */
class GatewayFidelityIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final FakeUpstream upstream = FakeUpstream.get();

    /** A request with every kind of field an agent framework sends, and one OpenAI has not shipped yet. */
    private static final String AGENT_REQUEST = """
            {"model":"%s","messages":[
              {"role":"developer","content":"Use the tools."},
              {"role":"user","content":[{"type":"text","text":"What is the weather here?"},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}},
                {"type":"image_url","image_url":{"url":"https://example.test/sky.jpg"}}]},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"locate","arguments":"{}"}},
                {"id":"call_2","type":"function","function":{"name":"clock","arguments":"{\\"tz\\":\\"utc\\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"Oslo"},
              {"role":"tool","tool_call_id":"call_2","content":"12:00"}],
             "tools":[{"type":"function","function":{"name":"weather","description":"Weather in a city",
               "parameters":{"type":"object","properties":{"city":{"type":"string","enum":["Oslo","Rome"]}},
                 "required":["city"],"additionalProperties":false},"strict":true}}],
             "tool_choice":"required","parallel_tool_calls":false,"stop":["END"],"top_p":0.9,
             "temperature":0.4,"max_tokens":300%s}""";

    @Test
    void forwardsTheClientsBodyAsSentToAnOpenAiCompatibleUpstream() {
        var key = api().apiKey();
        var extra = ",\"seed\":7,\"frequency_penalty\":0.5,\"presence_penalty\":-0.5,\"user\":\"u-1\","
                + "\"logit_bias\":{\"50256\":-100},\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
                + "{\"name\":\"w\",\"schema\":{\"type\":\"object\"},\"strict\":true}},\"future_param\":{\"a\":[1,2]},"
                + "\"stream_options\":{\"include_obfuscation\":false}";
        var sent = AGENT_REQUEST.formatted("lonely", extra);

        var response = api().post("/v1/chat/completions", key, sent);

        assertThat(response.status()).isEqualTo(200);
        var received = (ObjectNode) upstream.lastRequest("lonely").deepCopy();
        assertThat(received.path("stream").asBoolean()).isTrue();
        assertThat(received.path("stream_options").toString())
                .isEqualTo("{\"include_obfuscation\":false,\"include_usage\":true}");
        var expected = (ObjectNode) JSON.readTree(sent);
        for (var rewritten : List.of("model", "stream", "stream_options")) {
            received.remove(rewritten);
            expected.remove(rewritten);
        }
        assertThat(received).isEqualTo(expected);
    }

    @Test
    void streamsToolCallDeltasAsTheUpstreamSentThem() {
        var key = api().apiKey();
        upstream.script(
                "lonely",
                Reply.toolCalls(
                        "",
                        new Reply.Call("call_a", "weather", "{\"city\":\"Oslo\"}"),
                        new Reply.Call("call_b", "weather", "{\"city\":\"Rome\"}")));

        var response = api().post("/v1/chat/completions", key, AGENT_REQUEST.formatted("lonely", ",\"stream\":true"));

        var chunks = chunks(response);
        var deltas = chunks.stream()
                .flatMap(chunk ->
                        stream(chunk.path("choices").path(0).path("delta").path("tool_calls")))
                .toList();
        assertThat(deltas).hasSize(6);
        assertThat(deltas.get(0).path("id").asString()).isEqualTo("call_a");
        assertThat(deltas.get(0).path("type").asString()).isEqualTo("function");
        assertThat(deltas.get(0).path("function").path("name").asString()).isEqualTo("weather");
        assertThat(deltas.get(0).path("function").path("arguments").asString()).isEmpty();
        assertThat(deltas.get(1).path("function").path("arguments").asString()
                        + deltas.get(2).path("function").path("arguments").asString())
                .isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(deltas.get(3).path("index").asInt()).isEqualTo(1);
        assertThat(chunks.stream()
                        .map(chunk -> chunk.path("choices")
                                .path(0)
                                .path("finish_reason")
                                .asString(""))
                        .filter(reason -> !reason.isEmpty()))
                .containsExactly("tool_calls");
        assertThat(chunks.getLast().has("usage"))
                .as("no usage chunk unless asked")
                .isFalse();
    }

    @Test
    void assemblesAWholeAnswerWithToolCalls() {
        var key = api().apiKey();
        upstream.script(
                "lonely",
                Reply.toolCalls(
                        "",
                        new Reply.Call("call_a", "weather", "{\"city\":\"Oslo\"}"),
                        new Reply.Call("call_b", "weather", "{\"city\":\"Rome\"}")));

        var response = api().post("/v1/chat/completions", key, AGENT_REQUEST.formatted("lonely", ""));

        var choice = response.json().path("choices").path(0);
        assertThat(choice.path("finish_reason").asString()).isEqualTo("tool_calls");
        assertThat(choice.path("message").path("tool_calls").toString())
                .isEqualTo("[{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
                        + "\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}},{\"id\":\"call_b\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]");
        assertThat(response.json().path("usage").path("total_tokens").asInt()).isEqualTo(70);
    }

    @Test
    void keepsLogprobsFingerprintRefusalSeveralChoicesAndUsageDetails() {
        var key = api().apiKey();
        var chunk =
                "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"lonely-2026\","
                        + "\"system_fingerprint\":\"fp_1\",\"service_tier\":\"default\",\"choices\":[%s]}";
        var usage =
                "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"lonely-2026\","
                        + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":8},\"completion_tokens_details\":{\"reasoning_tokens\":2}}}";
        var logprob =
                "{\"content\":[{\"token\":\"%s\",\"logprob\":-0.1,\"bytes\":null,\"top_logprobs\":[]}],\"refusal\":null}";
        upstream.script(
                "lonely",
                Reply.raw(
                        chunk.formatted("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}},"
                                + "{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}"),
                        chunk.formatted("{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":"
                                + logprob.formatted("Hi") + "}"),
                        chunk.formatted("{\"index\":1,\"delta\":{\"refusal\":\"No.\"},\"logprobs\":null}"),
                        chunk.formatted("{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"},"
                                + "{\"index\":1,\"delta\":{},\"finish_reason\":\"content_filter\"}"),
                        usage,
                        "[DONE]"));

        var response = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"lonely\",\"n\":2,\"logprobs\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        var body = response.json();
        assertThat(body.path("id").asString()).isEqualTo("chatcmpl-x");
        assertThat(body.path("model").asString()).isEqualTo("lonely-2026");
        assertThat(body.path("system_fingerprint").asString()).isEqualTo("fp_1");
        assertThat(body.path("service_tier").asString()).isEqualTo("default");
        var first = body.path("choices").path(0);
        assertThat(first.path("message").path("content").asString()).isEqualTo("Hi");
        assertThat(first.path("logprobs").path("content").path(0).path("token").asString())
                .isEqualTo("Hi");
        var second = body.path("choices").path(1);
        assertThat(second.path("message").path("refusal").asString()).isEqualTo("No.");
        assertThat(second.path("finish_reason").asString()).isEqualTo("content_filter");
        assertThat(body.path("usage")
                        .path("prompt_tokens_details")
                        .path("cached_tokens")
                        .asInt())
                .isEqualTo(8);
        assertThat(body.path("usage")
                        .path("completion_tokens_details")
                        .path("reasoning_tokens")
                        .asInt())
                .isEqualTo(2);
    }

    @Test
    void translatesToolsImagesAndResultsToAnthropic() {
        var key = api().apiKey();
        upstream.script(
                "claude-test",
                Reply.toolCalls("Checking.", new Reply.Call("toolu_1", "weather", "{\"city\":\"Oslo\"}")));

        var response = api().post(
                        "/v1/chat/completions",
                        key,
                        AGENT_REQUEST
                                .formatted(
                                        "claude-test", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}")
                                .replace(",\"strict\":true", ""));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        var sent = upstream.lastRequest("claude-test");
        assertThat(sent.path("system").asString()).isEqualTo("Use the tools.");
        assertThat(sent.path("stop_sequences").toString()).isEqualTo("[\"END\"]");
        assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(sent.path("tools").get(0).path("input_schema").toString())
                .isEqualTo(
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"enum\":[\"Oslo\",\"Rome\"]}},"
                                + "\"required\":[\"city\"],\"additionalProperties\":false}");
        assertThat(sent.path("tool_choice").toString())
                .isEqualTo("{\"type\":\"any\",\"disable_parallel_tool_use\":true}");
        var messages = sent.path("messages");
        assertThat(messages.size()).isEqualTo(3);
        var user = messages.get(0).path("content");
        assertThat(user.get(1).toString())
                .isEqualTo(
                        "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}");
        assertThat(user.get(2).path("source").toString())
                .isEqualTo("{\"type\":\"url\",\"url\":\"https://example.test/sky.jpg\"}");
        var assistant = messages.get(1).path("content");
        assertThat(assistant.get(1).toString())
                .isEqualTo("{\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"clock\",\"input\":{\"tz\":\"utc\"}}");
        var results = messages.get(2);
        assertThat(results.path("role").asString()).isEqualTo("user");
        assertThat(results.path("content").toString())
                .isEqualTo("[{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":\"Oslo\"},"
                        + "{\"type\":\"tool_result\",\"tool_use_id\":\"call_2\",\"content\":\"12:00\"}]");

        var chunks = chunks(response);
        var text = new StringBuilder();
        var arguments = new StringBuilder();
        chunks.forEach(chunk -> {
            var delta = chunk.path("choices").path(0).path("delta");
            text.append(delta.path("content").asString(""));
            delta.path("tool_calls")
                    .forEach(call -> arguments.append(
                            call.path("function").path("arguments").asString("")));
        });
        assertThat(text).hasToString("Checking.");
        assertThat(arguments).hasToString("{\"city\":\"Oslo\"}");
        var firstCall = chunks.stream()
                .flatMap(chunk ->
                        stream(chunk.path("choices").path(0).path("delta").path("tool_calls")))
                .findFirst()
                .orElseThrow();
        assertThat(firstCall.path("id").asString()).isEqualTo("toolu_1");
        assertThat(firstCall.path("function").path("name").asString()).isEqualTo("weather");
        assertThat(chunks.stream()
                        .map(chunk -> chunk.path("choices")
                                .path(0)
                                .path("finish_reason")
                                .asString(""))
                        .filter(reason -> !reason.isEmpty()))
                .containsExactly("tool_calls");
        var usage = chunks.getLast().path("usage");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(45);
        assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt())
                .isEqualTo(10);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(25);
    }

    @Test
    void billsPromptCacheTokensOnceEachAtTheirOwnPrices() {
        var account = api().register();
        var key = api().post("/api/api-keys", account.token(), "{\"name\":\"billing\"}")
                .json()
                .path("key")
                .asString();
        upstream.script("claude-test", Reply.toolCalls("", new Reply.Call("toolu_b", "f", "{}")));

        var response = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"bill me\"}]}");

        assertThat(response.status()).isEqualTo(200);
        var usage = response.json().path("usage");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(45);
        assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt())
                .isEqualTo(10);
        var totals = api().get("/api/usage", account.token()).json().path("totals");
        assertThat(totals.path("inputTokens").asLong()).isEqualTo(45);
        assertThat(totals.path("cachedInputTokens").asLong()).isEqualTo(10);
        assertThat(totals.path("cacheWriteTokens").asLong()).isEqualTo(5);
        // 30 plain prompt tokens at 3.00, 10 read at 0.30, 5 written at 3.75, 25 answer tokens at 15.00
        assertThat(totals.path("costUsd").decimalValue()).isEqualByComparingTo("0.00048675");
    }

    @Test
    void refusesWhatAnthropicCannotHonourNamingIt() {
        var key = api().apiKey();
        int calls = upstream.calls("claude-test");

        var seed = api().post("/v1/chat/completions", key, AGENT_REQUEST.formatted("claude-test", ",\"seed\":1"));
        var hot = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"claude-test\",\"temperature\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        var schema = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"claude-test\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
                                + "{\"name\":\"a\",\"schema\":{\"type\":\"object\"}}},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(seed.status()).isEqualTo(400);
        assertThat(seed.json().path("error").path("param").asString()).isEqualTo("seed");
        assertThat(seed.json().path("error").path("message").asString()).contains("seed, tools.function.strict");
        assertThat(hot.status()).isEqualTo(400);
        assertThat(hot.json().path("error").path("param").asString()).isEqualTo("temperature");
        assertThat(schema.json().path("error").path("param").asString()).isEqualTo("response_format");
        assertThat(upstream.calls("claude-test")).isEqualTo(calls);
    }

    @Test
    void dropsWhatItCannotHonourOnlyWhereTheOperatorSaidSoAndSaysWhat() {
        var key = api().apiKey();

        var response = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"claude-lenient\",\"seed\":3,\"logit_bias\":{\"1\":2},\"user\":\"u-9\","
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Colloquy-Dropped-Params")).isEqualTo("seed, logit_bias");
        var sent = upstream.lastRequest("claude-lenient");
        assertThat(sent.has("seed")).isFalse();
        assertThat(sent.path("metadata").path("user_id").asString()).isEqualTo("u-9");
    }

    @Test
    void asksAnthropicForStructuredOutputWhereTheModelTakesIt() {
        var key = api().apiKey();

        var response = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"claude-structured\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
                                + "{\"name\":\"a\",\"schema\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}}},"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(upstream.lastRequest("claude-structured")
                        .path("output_format")
                        .toString())
                .isEqualTo(
                        "{\"type\":\"json_schema\",\"schema\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}}");
        assertThat(upstream.lastHeaders("claude-structured"))
                .containsEntry("anthropic-beta", "structured-outputs-2025-11-13");
    }

    @Test
    void theBuiltInModelRefusesToolsAndSchemasInsteadOfAnsweringProse() {
        var key = api().apiKey();

        var tools = api().post("/v1/chat/completions", key, AGENT_REQUEST.formatted("local", ""));
        var schema = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"local\",\"response_format\":{\"type\":\"json_object\"},"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(tools.status()).isEqualTo(400);
        assertThat(tools.json().path("error").path("param").asString()).isEqualTo("tools");
        assertThat(tools.json().path("error").path("message").asString()).contains("built-in", "no tool calling");
        assertThat(schema.status()).isEqualTo(400);
        assertThat(schema.json().path("error").path("param").asString()).isEqualTo("response_format");
    }

    @Test
    void keepsCachedAnswersApartByToolsAndSchemaAndReplaysToolCalls() {
        var key = api().apiKey();
        var plain =
                "{\"model\":\"lonely\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"cache fidelity\"}]%s}";
        var tool =
                ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]";
        var schemaA =
                ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"object\"}}}";
        var schemaB =
                ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"b\",\"schema\":{\"type\":\"array\"}}}";
        upstream.script("lonely", Reply.toolCalls("", new Reply.Call("call_c", "f", "{\"x\":1}")));
        int before = upstream.calls("lonely");

        var withTool = api().post("/v1/chat/completions", key, plain.formatted(tool));
        var withoutTool = api().post("/v1/chat/completions", key, plain.formatted(""));
        var first = api().post("/v1/chat/completions", key, plain.formatted(schemaA));
        var second = api().post("/v1/chat/completions", key, plain.formatted(schemaB));
        var again =
                api().post("/v1/chat/completions", key, plain.formatted(tool).replace("}]}", "}],\"stream\":true}"));

        assertThat(upstream.calls("lonely") - before).isEqualTo(4);
        assertThat(List.of(withTool, withoutTool, first, second))
                .allSatisfy(r -> assertThat(r.header("X-Colloquy-Cache")).isEqualTo("miss"));
        var replayed = chunks(again);
        var call = replayed.stream()
                .flatMap(chunk ->
                        stream(chunk.path("choices").path(0).path("delta").path("tool_calls")))
                .toList();
        assertThat(call).hasSize(1);
        assertThat(call.getFirst().path("id").asString()).isEqualTo("call_c");
        assertThat(call.getFirst().path("function").path("arguments").asString())
                .isEqualTo("{\"x\":1}");
        assertThat(replayed.stream()
                        .map(chunk -> chunk.path("choices")
                                .path(0)
                                .path("finish_reason")
                                .asString(""))
                        .filter(reason -> !reason.isEmpty()))
                .containsExactly("tool_calls");
    }

    @Test
    void acceptsToolAndDeveloperMessagesOnTheWayToAnOpenAiUpstream() {
        var key = api().apiKey();

        var response = api().post("/v1/chat/completions", key, AGENT_REQUEST.formatted("lonely", ""));

        assertThat(response.status()).isEqualTo(200);
        assertThat(upstream.lastRequest("lonely").path("messages").get(3).toString())
                .isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"Oslo\"}");
    }

    private static List<JsonNode> chunks(Api.Response response) {
        assertThat(response.status()).isEqualTo(200);
        var events = response.body()
                .lines()
                .filter(line -> line.startsWith("data: "))
                .map(line -> line.substring(6))
                .toList();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        return events.subList(0, events.size() - 1).stream().map(JSON::readTree).toList();
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }
}
