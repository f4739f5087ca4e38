package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The official clients an application would use, unchanged, against Colloquy: the OpenAI SDK and
 * LangChain.js (tools, an agent loop with a tool result, structured output), through an
 * OpenAI-compatible upstream and through the Anthropic translation. Each test asserts what the client
 * handed back and what the upstream was sent. Without Node.js the tests are skipped, except under
 * CI, where they fail.
 */
class SdkClientsIT extends IntegrationTest {

    private final FakeUpstream upstream = FakeUpstream.get();

    @BeforeAll
    static void nodeIsThere() {
        boolean available = NodeClients.available();
        Assumptions.assumeTrue(
                available || "true".equals(System.getenv("CI")),
                "Node.js and npm are not installed: the official-client tests are left out");
        assertThat(available)
                .as("CI must run the official-client tests: install Debian's nodejs and npm")
                .isTrue();
    }

    @Test
    void openAiSdkStreamsParallelToolCallsItCanAssemble() throws Exception {
        upstream.script(
                "lonely",
                Reply.toolCalls(
                        "",
                        new Reply.Call("call_a", "weather", "{\"city\":\"Oslo\"}"),
                        new Reply.Call("call_b", "weather", "{\"city\":\"Rome\"}")));

        var got = run("openai-tools-stream", "lonely");

        var calls = got.path("message").path("tool_calls");
        assertThat(calls.size()).isEqualTo(2);
        assertThat(calls.get(0).path("id").asString()).isEqualTo("call_a");
        assertThat(calls.get(0).path("function").path("name").asString()).isEqualTo("weather");
        assertThat(calls.get(1).path("function").path("arguments").asString()).isEqualTo("{\"city\":\"Rome\"}");
        assertThat(got.path("finish").asString()).isEqualTo("tool_calls");
        assertThat(got.path("usage").path("total_tokens").asInt()).isEqualTo(70);
        var sent = upstream.lastRequest("lonely");
        assertThat(sent.path("tools").get(0).path("function").path("name").asString())
                .isEqualTo("weather");
        assertThat(sent.path("tool_choice").asString()).isEqualTo("auto");
        assertThat(sent.path("parallel_tool_calls").asBoolean()).isTrue();
    }

    @Test
    void openAiSdkGetsToolCallsFromAnAnthropicModel() throws Exception {
        upstream.script(
                "claude-test", Reply.toolCalls("", new Reply.Call("toolu_9", "weather", "{\"city\":\"Oslo\"}")));

        var got = run("openai-tools-stream", "claude-test");

        var calls = got.path("message").path("tool_calls");
        assertThat(calls.size()).isEqualTo(1);
        assertThat(calls.get(0).path("id").asString()).isEqualTo("toolu_9");
        assertThat(calls.get(0).path("function").path("arguments").asString()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(got.path("finish").asString()).isEqualTo("tool_calls");
        assertThat(got.path("usage").path("prompt_tokens").asInt()).isEqualTo(45);
        var sent = upstream.lastRequest("claude-test");
        assertThat(sent.path("tools")
                        .get(0)
                        .path("input_schema")
                        .path("required")
                        .toString())
                .isEqualTo("[\"city\"]");
        assertThat(sent.path("tool_choice").path("type").asString()).isEqualTo("auto");
    }

    @Test
    void openAiSdkParsesStructuredOutput() throws Exception {
        upstream.script("lonely", Reply.stream("{\"city\":\"Oslo\",", "\"celsius\":4}"));

        var got = run("openai-structured", "lonely");

        assertThat(got.path("parsed").path("city").asString()).isEqualTo("Oslo");
        assertThat(got.path("parsed").path("celsius").asInt()).isEqualTo(4);
        var format = upstream.lastRequest("lonely").path("response_format");
        assertThat(format.path("type").asString()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("name").asString()).isEqualTo("weather");
        assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
    }

    @Test
    void langChainRunsATwoStepAgentLoop() throws Exception {
        upstream.script(
                "lonely",
                Reply.toolCalls("", new Reply.Call("call_l", "weather", "{\"city\":\"Oslo\"}")),
                Reply.stream("It is 4 degrees ", "and rainy in Oslo."));

        var got = run("langchain-agent", "lonely");

        assertThat(got.path("toolCalls").get(0).path("name").asString()).isEqualTo("weather");
        assertThat(got.path("toolCalls").get(0).path("args").path("city").asString())
                .isEqualTo("Oslo");
        assertThat(got.path("answer").asString()).isEqualTo("It is 4 degrees and rainy in Oslo.");
        var messages = upstream.lastRequest("lonely").path("messages");
        assertThat(messages.get(1).path("tool_calls").get(0).path("id").asString())
                .isEqualTo("call_l");
        assertThat(messages.get(2).path("role").asString()).isEqualTo("tool");
        assertThat(messages.get(2).path("tool_call_id").asString()).isEqualTo("call_l");
        assertThat(messages.get(2).path("content").asString()).isEqualTo("Oslo: 4 degrees, rain");
    }

    @Test
    void langChainGetsStructuredOutput() throws Exception {
        upstream.script("lonely", Reply.stream("{\"city\":\"Rome\",\"celsius\":19}"));

        var got = run("langchain-structured", "lonely");

        assertThat(got.path("parsed").path("city").asString()).isEqualTo("Rome");
        assertThat(got.path("parsed").path("celsius").asInt()).isEqualTo(19);
        assertThat(upstream.lastRequest("lonely")
                        .path("response_format")
                        .path("type")
                        .asString())
                .isEqualTo("json_schema");
    }

    @Test
    void anthropicSdkUsesToolsThroughAnOpenAiCompatibleModel() throws Exception {
        upstream.script(
                "lonely",
                Reply.toolCalls("", new Reply.Call("call_z", "weather", "{\"city\":\"Oslo\"}")),
                Reply.stream("4 degrees in Oslo."));

        var got = run("anthropic-tools", "lonely");

        var first = got.path("first");
        assertThat(first.path("stop_reason").asString()).isEqualTo("tool_use");
        var call = first.path("content").get(0);
        assertThat(call.path("type").asString()).isEqualTo("tool_use");
        assertThat(call.path("id").asString()).isEqualTo("call_z");
        assertThat(call.path("input").path("city").asString()).isEqualTo("Oslo");
        var second = got.path("second");
        assertThat(second.path("content").get(0).path("text").asString()).isEqualTo("4 degrees in Oslo.");
        assertThat(second.path("stop_reason").asString()).isEqualTo("end_turn");
        var messages = upstream.lastRequest("lonely").path("messages");
        assertThat(messages.get(1)
                        .path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("arguments")
                        .asString())
                .isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(messages.get(2).path("role").asString()).isEqualTo("tool");
        assertThat(messages.get(2).path("content").asString()).isEqualTo("4 degrees");
    }

    private JsonNode run(String scenario, String model) throws Exception {
        return NodeClients.run(scenario, "http://127.0.0.1:" + port, api().apiKey(), model);
    }
}
