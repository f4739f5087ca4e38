package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.colloquy.FakeUpstream;
import dev.colloquy.IntegrationTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The exact response cache, through /v1 as SDK users meet it. */
class AnswerCacheIT extends IntegrationTest {

    private final FakeUpstream upstream = FakeUpstream.get();

    @Test
    void theSameDeterministicQuestionTwiceIsAFreeHit() {
        var user = apiKey();
        var body = body("test-model", 0.0, null, "what is " + UUID.randomUUID());
        int before = upstream.calls("test-model");

        var first = api().post("/v1/chat/completions", user, body);
        var second = api().post("/v1/chat/completions", user, body);

        assertThat(first.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(second.header("X-Colloquy-Cache")).isEqualTo("hit");
        assertThat(answer(second)).isEqualTo(answer(first));
        assertThat(upstream.calls("test-model") - before).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            var totals = api().get("/api/usage", userToken).json().get("totals");
            assertThat(totals.get("calls").asLong()).isEqualTo(2);
            assertThat(totals.get("costUsd").decimalValue()).isEqualByComparingTo(new BigDecimal("0.000112"));
            assertThat(totals.get("savedUsd").decimalValue()).isEqualByComparingTo(new BigDecimal("0.000112"));
        });
        assertThat(api().get("/actuator/prometheus", null).body())
                .contains("llm_cache_hits_total{gen_ai_request_model=\"test-model\",kind=\"exact\"}")
                .contains("llm_cache_saved_usd_total{gen_ai_request_model=\"test-model\"}");
    }

    @Test
    void anotherUserOrAnotherSystemPromptIsNotServedTheEntry() {
        var question = "tell me " + UUID.randomUUID();
        var alice = apiKey();
        var bob = apiKey();
        api().post("/v1/chat/completions", alice, body("lonely", 0.0, null, question));
        int before = upstream.calls("lonely");

        var bobs = api().post("/v1/chat/completions", bob, body("lonely", 0.0, null, question));
        var otherSystem = api().post("/v1/chat/completions", alice, body("lonely", 0.0, "Answer in verse.", question));

        assertThat(bobs.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(otherSystem.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(upstream.calls("lonely") - before).isEqualTo(2);
    }

    @Test
    void onlyDeterministicOrOptedInCallsAreCached() {
        var key = apiKey();
        var warm = body("lonely", 0.7, null, "creative " + UUID.randomUUID());
        var optIn = body("lonely", 0.7, null, "opted in " + UUID.randomUUID());
        var noStore = body("lonely", 0.0, null, "not stored " + UUID.randomUUID());

        api().post("/v1/chat/completions", key, warm);
        var warmAgain = api().post("/v1/chat/completions", key, warm);
        api().post("/v1/chat/completions", key, optIn, Map.of("Cache-Control", "max-age=60"));
        var optedAgain = api().post("/v1/chat/completions", key, optIn, Map.of("Cache-Control", "max-age=60"));
        var fresh = api().post("/v1/chat/completions", key, optIn, Map.of("Cache-Control", "max-age=60, no-cache"));
        api().post("/v1/chat/completions", key, noStore, Map.of("Cache-Control", "no-store"));
        var notStored = api().post("/v1/chat/completions", key, noStore);

        assertThat(warmAgain.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(optedAgain.header("X-Colloquy-Cache")).isEqualTo("hit");
        assertThat(fresh.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(notStored.header("X-Colloquy-Cache")).isEqualTo("miss");
    }

    @Test
    void aHitStreamsLikeAFreshAnswer() {
        var key = apiKey();
        var body = body("lonely", 0.0, null, "stream it " + UUID.randomUUID())
                .replace("\"messages\"", "\"stream\":true,\"messages\"");
        api().post("/v1/chat/completions", key, body);
        int before = upstream.calls("lonely");

        var hit = api().post("/v1/chat/completions", key, body);

        assertThat(upstream.calls("lonely")).isEqualTo(before);
        assertThat(hit.contentType()).startsWith("text/event-stream");
        assertThat(hit.body())
                .contains("chat.completion.chunk", "{\"content\":\"stream \"}", "{\"content\":\"it \"}")
                .endsWith("data: [DONE]\n\n");
    }

    private String userToken;

    private String apiKey() {
        var account = api().register();
        userToken = account.token();
        return api().post("/api/api-keys", account.token(), "{\"name\":\"cache\"}")
                .json()
                .get("key")
                .asString();
    }

    private static String body(String model, Double temperature, String system, String question) {
        var messages = (system == null ? "" : "{\"role\":\"system\",\"content\":\"" + system + "\"},")
                + "{\"role\":\"user\",\"content\":\"" + question + "\"}";
        return "{\"model\":\"" + model + "\",\"temperature\":" + temperature + ",\"messages\":[" + messages + "]}";
    }

    private static String answer(dev.colloquy.Api.Response response) {
        return response.json()
                .get("choices")
                .get(0)
                .get("message")
                .get("content")
                .asString();
    }
}
