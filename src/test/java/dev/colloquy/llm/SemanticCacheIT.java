package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.IntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * The semantic cache with the in-process models (MiniLM for English, bge-small-zh for Chinese):
 * paraphrases of a first turn, and only those.
 */
class SemanticCacheIT extends IntegrationTest {

    private static final String ASKED = "How do I reset the password of my account?";
    private static final String PARAPHRASE = "How can I reset my account password?";

    private final FakeUpstream upstream = FakeUpstream.get();

    @Test
    void aParaphraseOfAFirstTurnIsAHitWithTheFirstAnswer() {
        var key = apiKey();
        var first = api().post("/v1/chat/completions", key, body(null, ASKED));
        int before = upstream.calls("lonely");

        var paraphrase = api().post("/v1/chat/completions", key, body(null, PARAPHRASE));
        var unrelated = api().post("/v1/chat/completions", key, body(null, "Which cheese goes with pears?"));

        assertThat(paraphrase.header("X-Colloquy-Cache")).isEqualTo("hit");
        assertThat(answer(paraphrase)).isEqualTo(answer(first)).contains(ASKED);
        assertThat(unrelated.header("X-Colloquy-Cache")).isEqualTo("miss");
        var hitsBefore = semanticHits();
        var paraphraseAgain = api().post("/v1/chat/completions", key, body(null, PARAPHRASE));
        assertThat(paraphraseAgain.header("X-Colloquy-Cache")).isEqualTo("hit");
        assertThat(semanticHits()).as("the repeated paraphrase is an exact hit").isEqualTo(hitsBefore);
        assertThat(upstream.calls("lonely") - before).isEqualTo(1);
        assertThat(api().get("/actuator/prometheus", null).body())
                .contains("llm_cache_hits_total{gen_ai_request_model=\"lonely\",kind=\"semantic\"}")
                .contains("llm_cache_semantic_similarity_count{gen_ai_request_model=\"lonely\"}");
    }

    @Test
    void aChineseParaphraseIsAHitAndTheOppositeQuestionIsNot() {
        // all-MiniLM-L6-v2 put these two at a similarity of 1.000: the second got the first's answer
        var key = apiKey();
        var create = api().post("/v1/chat/completions", key, body(null, "如何配置Redis缓存的过期时间？"));
        int before = upstream.calls("lonely");

        var paraphrase = api().post("/v1/chat/completions", key, body(null, "Redis缓存的过期时间怎么设置？"));
        var opposite = api().post("/v1/chat/completions", key, body(null, "如何清空Redis缓存？"));
        var otherDay = api().post("/v1/chat/completions", key, body(null, "北京明天天气怎么样？"));
        var thatDay = api().post("/v1/chat/completions", key, body(null, "北京今天天气怎么样？"));

        assertThat(paraphrase.header("X-Colloquy-Cache")).isEqualTo("hit");
        assertThat(answer(paraphrase)).isEqualTo(answer(create));
        assertThat(opposite.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(answer(opposite)).contains("如何清空Redis缓存");
        assertThat(otherDay.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(thatDay.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(upstream.calls("lonely") - before).isEqualTo(3);
    }

    @Test
    void anotherUserSystemPromptOrTurnDoesNotMatch() {
        var key = apiKey();
        api().post("/v1/chat/completions", key, body(null, ASKED));

        var otherUser = api().post("/v1/chat/completions", apiKey(), body(null, PARAPHRASE));
        var otherSystem = api().post("/v1/chat/completions", key, body("You are a pirate.", PARAPHRASE));
        var laterTurn = api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"lonely\",\"temperature\":0,\"messages\":["
                                + "{\"role\":\"user\",\"content\":\"hello\"},{\"role\":\"assistant\",\"content\":\"hi\"},"
                                + "{\"role\":\"user\",\"content\":\"" + PARAPHRASE + "\"}]}");

        assertThat(otherUser.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(otherSystem.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(laterTurn.header("X-Colloquy-Cache")).isEqualTo("miss");
    }

    private double semanticHits() {
        return api().metric("llm_cache_hits_total", "kind=\"semantic\"");
    }

    private String apiKey() {
        var account = api().register();
        return api().post("/api/api-keys", account.token(), "{\"name\":\"semantic\"}")
                .json()
                .get("key")
                .asString();
    }

    private static String body(String system, String question) {
        var messages = (system == null ? "" : "{\"role\":\"system\",\"content\":\"" + system + "\"},")
                + "{\"role\":\"user\",\"content\":\"" + question + "\"}";
        return "{\"model\":\"lonely\",\"temperature\":0,\"messages\":[" + messages + "]}";
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
