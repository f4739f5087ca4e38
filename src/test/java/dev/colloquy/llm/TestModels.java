package dev.colloquy.llm;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/** Models for unit tests that need one but call no upstream: USD 1 per million tokens each way, no key. */
public final class TestModels {

    private TestModels() {}

    public static LlmModel openAi(String name, int contextWindow, boolean images) {
        return new LlmModel(
                name,
                "openai",
                "http://127.0.0.1:1/v1",
                null,
                name,
                BigDecimal.ONE,
                BigDecimal.ONE,
                contextWindow,
                1,
                Duration.ofSeconds(5),
                List.of(),
                0,
                0,
                false,
                false,
                null,
                null,
                null,
                images);
    }
}
