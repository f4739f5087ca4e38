package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /v1/messages}: Anthropic's wire in, served by any configured model. */
class AnthropicApiIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final FakeUpstream upstream = FakeUpstream.get();

    private static final String TOOL_TURN = """
            {"model":"%s","max_tokens":256,"system":"Use the tools.","metadata":{"user_id":"u-7"},%s
             "tools":[{"name":"weather","description":"Weather in a city",
               "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},"stop_sequences":["END"],
             "messages":[
              {"role":"user","content":[{"type":"text","text":"Weather here?"},
                {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
              {"role":"assistant","content":[{"type":"text","text":"Locating."},
                {"type":"tool_use","id":"toolu_1","name":"locate","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"Oslo"}]}]}""";

    @Test
    void translatesAnAnthropicConversationForAnOpenAiCompatibleModel() {
        var key = api().apiKey();
        upstream.script("lonely", Reply.toolCalls("", new Reply.Call("call_w", "weather", "{\"city\":\"Oslo\"}")));

        var response = api().post("/v1/messages", null, TOOL_TURN.formatted("lonely", ""), Map.of("x-api-key", key));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        var sent = upstream.lastRequest("lonely");
        var messages = sent.path("messages");
        assertThat(messages.get(0).toString()).isEqualTo("{\"role\":\"system\",\"content\":\"Use the tools.\"}");
        assertThat(messages.get(1)
                        .path("content")
                        .get(1)
                        .path("image_url")
                        .path("url")
                        .asString())
                .isEqualTo("data:image/png;base64,iVBORw0KGgo=");
        assertThat(messages.get(2)
                        .path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("name")
                        .asString())
                .isEqualTo("locate");
        assertThat(messages.get(3).toString())
                .isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"toolu_1\",\"content\":\"Oslo\"}");
        assertThat(sent.path("tools")
                        .get(0)
                        .path("function")
                        .path("parameters")
                        .path("required")
                        .toString())
                .isEqualTo("[\"city\"]");
        assertThat(sent.path("tool_choice").asString()).isEqualTo("required");
        assertThat(sent.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(sent.path("stop").toString()).isEqualTo("[\"END\"]");
        assertThat(sent.path("user").asString()).isEqualTo("u-7");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(256);

        var message = response.json();
        assertThat(message.path("type").asString()).isEqualTo("message");
        assertThat(message.path("stop_reason").asString()).isEqualTo("tool_use");
        var block = message.path("content").get(0);
        assertThat(block.path("type").asString()).isEqualTo("tool_use");
        assertThat(block.path("id").asString()).isEqualTo("call_w");
        assertThat(block.path("input").toString()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(message.path("usage").path("input_tokens").asInt()).isEqualTo(50);
        assertThat(message.path("usage").path("output_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void streamsTheMessagesEventsFromAnAnthropicModel() {
        var key = api().apiKey();
        upstream.script(
                "claude-test",
                Reply.toolCalls("Let me see.", new Reply.Call("toolu_2", "weather", "{\"city\":\"Rome\"}")));

        var response = api().post(
                        "/v1/messages",
                        key,
                        TOOL_TURN.formatted("claude-test", "\"stream\":true,"),
                        Map.of("Accept", "text/event-stream"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        var names = new ArrayList<String>();
        var events = new ArrayList<JsonNode>();
        response.body().lines().forEach(line -> {
            if (line.startsWith("event: ")) {
                names.add(line.substring(7));
            } else if (line.startsWith("data: ")) {
                events.add(JSON.readTree(line.substring(6)));
            }
        });
        assertThat(names)
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_stop",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        assertThat(events.get(4).path("content_block").path("name").asString()).isEqualTo("weather");
        assertThat(events.get(5).path("delta").path("partial_json").asString()
                        + events.get(6).path("delta").path("partial_json").asString())
                .isEqualTo("{\"city\":\"Rome\"}");
        var delta = events.get(8);
        assertThat(delta.path("delta").path("stop_reason").asString()).isEqualTo("tool_use");
        assertThat(delta.path("usage").path("cache_read_input_tokens").asInt()).isEqualTo(10);
        assertThat(delta.path("usage").path("input_tokens").asInt()).isEqualTo(30);
        var sent = upstream.lastRequest("claude-test");
        assertThat(sent.path("messages")
                        .get(2)
                        .path("content")
                        .get(0)
                        .path("type")
                        .asString())
                .isEqualTo("tool_result");
        assertThat(sent.path("metadata").path("user_id").asString()).isEqualTo("u-7");
    }

    @Test
    void aStreamedEventReachesTheClientBeforeTheUpstreamSendsTheNext() throws Exception {
        var key = api().apiKey();
        upstream.script("test-model", Reply.slowChunks(Duration.ofMillis(500), "early ", "middle ", "late"));

        var arrivals = api().streamArrivals(
                        "/v1/messages",
                        key,
                        "{\"model\":\"test-model\",\"max_tokens\":64,\"stream\":true,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}",
                        Map.of(),
                        "early",
                        "late",
                        "message_stop");

        assertThat(arrivals[0]).isPositive();
        assertThat(arrivals[2]).as("the stream ends with message_stop").isGreaterThanOrEqualTo(arrivals[1]);
        // the upstream sends "late" a second after "early": held back, both would arrive together
        assertThat(Duration.ofNanos(arrivals[1] - arrivals[0])).isGreaterThan(Duration.ofMillis(500));
    }

    @Test
    void answersAnUnknownKeyInAnthropicsErrorShape() {
        var response =
                api().post("/v1/messages", null, TOOL_TURN.formatted("lonely", ""), Map.of("x-api-key", "ck_nope"));

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().path("type").asString()).isEqualTo("error");
        assertThat(response.json().path("error").path("type").asString()).isEqualTo("authentication_error");
    }

    @Test
    void refusesAMissingMaxTokensAsAnthropicDoes() {
        var key = api().apiKey();

        var response = api().post(
                        "/v1/messages",
                        null,
                        "{\"model\":\"lonely\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        Map.of("x-api-key", key));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(response.json().path("error").path("message").asString()).contains("max_tokens");
        assertThat(List.of(response.contentType()))
                .allSatisfy(type -> assertThat(type).startsWith("application/json"));
    }
}
