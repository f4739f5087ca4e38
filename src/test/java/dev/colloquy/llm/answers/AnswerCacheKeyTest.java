package dev.colloquy.llm.answers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.llm.CachePolicy;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.ModelOptions;
import dev.colloquy.llm.TestModels;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class AnswerCacheKeyTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UUID USER = UUID.randomUUID();
    private static final LlmModel MODEL = TestModels.openAi("m", 8_192, false);

    @Test
    void theOrderOfFieldsNeverSplitsAnEntry() {
        var one = key("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"parameters\":{\"a\":1,\"b\":2}}}],\"temperature\":0}");
        var other = key("{\"temperature\":0,\"tools\":[{\"function\":{\"parameters\":{\"b\":2,\"a\":1},\"name\":\"f\"},"
                + "\"type\":\"function\"}],\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}]}");

        assertThat(one).isEqualTo(other);
    }

    @Test
    void everyParameterSplitsThemButTheStreamFlagDoesNot() {
        var plain = key("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0}");

        assertThat(key("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0,\"seed\":1}"))
                .isNotEqualTo(plain);
        assertThat(key("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0,\"stream\":true}"))
                .as("a streamed and a whole answer share an entry")
                .isEqualTo(plain);
    }

    private static String key(String body) {
        var request = new ChatRequest(
                USER,
                "m",
                List.of(LlmMessage.of("user", "hi")),
                ModelOptions.DEFAULT,
                null,
                Set.of(),
                CachePolicy.DEFAULT,
                null,
                List.of(),
                (ObjectNode) JSON.readTree(body));
        return AnswerCache.keyOf(USER, MODEL, request);
    }
}
