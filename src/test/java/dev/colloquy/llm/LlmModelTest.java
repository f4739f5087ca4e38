package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmModelTest {

    @Test
    void pricesEachBucketOfTokensOnceAtItsOwnRate() {
        var model = model(new BigDecimal("0.50"), new BigDecimal("3.75"), new BigDecimal("20"));

        // 1,000 prompt tokens of which 600 read from the cache and 100 written to it; 500 answer tokens
        // of which 200 reasoning
        var cost = model.cost(new TokenUsage(1_000, 500, 600, 100, 200));

        // 300 x 2 + 600 x 0.5 + 100 x 3.75 + 300 x 10 + 200 x 20, per million
        assertThat(cost).isEqualByComparingTo("0.008275");
    }

    @Test
    void pricesBucketsWithoutARateOfTheirOwnAsPlainTokens() {
        var model = model(null, null, null);

        assertThat(model.cost(new TokenUsage(1_000, 500, 600, 100, 200))).isEqualByComparingTo(model.cost(1_000, 500));
    }

    private static LlmModel model(BigDecimal cached, BigDecimal write, BigDecimal reasoning) {
        return new LlmModel(
                "priced",
                "openai",
                "http://127.0.0.1:1/v1",
                null,
                "priced",
                new BigDecimal("2"),
                new BigDecimal("10"),
                8_192,
                1,
                Duration.ofSeconds(30),
                List.of(),
                0,
                0,
                false,
                false,
                cached,
                write,
                reasoning,
                false);
    }
}
