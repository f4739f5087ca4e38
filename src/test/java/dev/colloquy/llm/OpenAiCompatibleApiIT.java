package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /v1} as the official OpenAI SDKs use it: their request shapes, stream format and errors. */
class OpenAiCompatibleApiIT extends IntegrationTest {

    /** Headers the OpenAI SDKs send besides the body. */
    private static final Map<String, String> SDK_HEADERS =
            Map.of("Accept", "application/json", "X-Stainless-Lang", "python", "X-Stainless-Package-Version", "1.99.0");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void listsTheModels() {
        var key = apiKey("chat");

        var models = api().get("/v1/models", key);

        assertThat(models.status()).isEqualTo(200);
        assertThat(models.json().get("object").asString()).isEqualTo("list");
        assertThat(models.json().get("data").toString()).contains("\"id\":\"local\"", "\"id\":\"test-model\"");
    }

    @Test
    void aStreamedChunkReachesTheClientBeforeTheUpstreamSendsTheNext() throws Exception {
        var key = apiKey("chat");
        FakeUpstream.get()
                .script(
                        "test-model",
                        FakeUpstream.Reply.slowChunks(Duration.ofMillis(500), "early ", "middle ", "late"));
        var arrivals = api().streamArrivals(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"test-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}",
                        Map.of(),
                        "early",
                        "late",
                        "[DONE]");

        assertThat(arrivals[2]).as("the stream ends with [DONE]").isGreaterThanOrEqualTo(arrivals[1]);
        assertThat(arrivals[0]).isPositive();
        // the upstream sends "late" a second after "early": held back, both would arrive together
        assertThat(Duration.ofNanos(arrivals[1] - arrivals[0])).isGreaterThan(Duration.ofMillis(500));
    }

    @Test
    void answersAWholeCompletionInOpenAisShape() {
        var key = apiKey("chat");

        var response = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"messages\":[{\"content\":\"Be terse.\",\"role\":\"developer\"},{\"content\":\"hello\",\"role\":\"user\"}],"
                                + "\"model\":\"test-model\",\"n\":1,\"top_p\":1,\"user\":\"sdk-user\",\"seed\":7}",
                        SDK_HEADERS);

        assertThat(response.status()).isEqualTo(200);
        var body = response.json();
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        assertThat(body.get("id").asString()).startsWith("chatcmpl-");
        assertThat(body.get("choices").get(0).get("message").get("role").asString())
                .isEqualTo("assistant");
        assertThat(body.get("choices").get(0).get("message").get("content").asString())
                .isEqualTo("You said: hello.");
        assertThat(body.get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(100);
        assertThat(body.get("usage").get("total_tokens").asInt()).isEqualTo(106);
        assertThat(response.header("X-Colloquy-Overhead-Ms")).matches("\\d+");
    }

    @Test
    void streamsChunksThenUsageThenDone() {
        var key = apiKey("chat");

        var response = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"messages\":[{\"content\":[{\"type\":\"text\",\"text\":\"stream\"},{\"type\":\"text\",\"text\":\" me\"}],"
                                + "\"role\":\"user\"}],\"model\":\"test-model\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
                        SDK_HEADERS);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/event-stream");
        var events = new ArrayList<String>();
        response.body()
                .lines()
                .filter(line -> line.startsWith("data: "))
                .forEach(line -> events.add(line.substring(6)));
        assertThat(events.getLast()).isEqualTo("[DONE]");
        var chunks = events.subList(0, events.size() - 1).stream()
                .map(JSON::readTree)
                .toList();
        assertThat(chunks)
                .allSatisfy(chunk -> assertThat(chunk.get("object").asString()).isEqualTo("chat.completion.chunk"));
        assertThat(chunks.getFirst()
                        .get("choices")
                        .get(0)
                        .get("delta")
                        .get("role")
                        .asString())
                .isEqualTo("assistant");
        var text = new StringBuilder();
        chunks.forEach(chunk -> {
            JsonNode choice = chunk.get("choices").path(0);
            if (choice.path("delta").path("content").isString()) {
                text.append(choice.path("delta").path("content").asString());
            }
        });
        assertThat(text).hasToString("You said: stream me.");
        var finish = chunks.get(chunks.size() - 2);
        assertThat(finish.get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
        var usage = chunks.getLast();
        assertThat(usage.get("choices").size()).isZero();
        assertThat(usage.get("usage").get("completion_tokens").asInt()).isEqualTo(6);
    }

    @Test
    void errorsComeInOpenAisShape() {
        var key = apiKey("chat");

        var unknown = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"gpt-nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        var empty = api().post("/v1/chat/completions", key, "{\"model\":\"test-model\",\"messages\":[]}");
        var malformed = api().post("/v1/chat/completions", key, "{\"model\":");
        var anonymous = api().post("/v1/chat/completions", null, "{\"model\":\"test-model\",\"messages\":[]}");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").get("code").asString()).isEqualTo("model_not_found");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().get("error").get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").get("message").asString()).isNotBlank();
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().get("error").get("code").asString()).isEqualTo("invalid_api_key");
    }

    @Test
    void theBuiltInModelAnswersOnV1Too() {
        var key = apiKey("full");

        var response = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"local\",\"messages\":[{\"role\":\"user\",\"content\":\"anything about kubernetes\"}]}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json()
                        .get("choices")
                        .get(0)
                        .get("message")
                        .get("content")
                        .asString())
                .contains("No generative model is configured");
    }

    @Test
    void embeddingsComeFromTheModelsUpstreamAndAreBilled() {
        var key = apiKey("chat");

        var response = api().post(
                        "/v1/embeddings",
                        key,
                        "{\"model\":\"test-model\",\"input\":[\"hello\",\"colloquy\"],\"encoding_format\":\"float\"}");
        var local = api().post("/v1/embeddings", key, "{\"model\":\"local\",\"input\":\"hello\"}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("data").size()).isEqualTo(2);
        assertThat(response.json().get("data").get(1).get("embedding").get(0).asDouble())
                .isEqualTo(8.0);
        assertThat(response.json().get("usage").get("prompt_tokens").asInt()).isEqualTo(10);
        assertThat(local.status()).isEqualTo(400);
        assertThat(local.json().get("error").get("type").asString()).isEqualTo("invalid_request_error");
    }

    private String apiKey(String scope) {
        Api.Account account = api().register();
        return api().post("/api/api-keys", account.token(), "{\"name\":\"sdk\",\"scope\":\"" + scope + "\"}")
                .json()
                .get("key")
                .asString();
    }
}
