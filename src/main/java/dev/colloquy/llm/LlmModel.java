package dev.colloquy.llm;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A model clients can ask for, with what it costs and where it runs, and the upstream's own limits
 * per minute (0: none), which Colloquy keeps to across replicas and shares out among users.
 */
public record LlmModel(
        String name,
        String provider,
        @Nullable String baseUrl,
        @Nullable String apiKey,
        String upstreamModel,
        BigDecimal inputPricePerMillion,
        BigDecimal outputPricePerMillion,
        int contextWindow,
        int maxConcurrency,
        Duration timeout,
        List<String> fallbacks,
        int requestsPerMinute,
        int tokensPerMinute) {

    public static final String LOCAL = "local";
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    public LlmModel {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.length() > 100) {
            throw new IllegalArgumentException("a model name has 1 to 100 characters");
        }
        if (!provider.equals("openai") && !provider.equals("anthropic") && !provider.equals(LOCAL)) {
            throw new IllegalArgumentException(
                    "model " + name + ": provider must be 'openai' (any OpenAI-compatible API) or 'anthropic'");
        }
        if (!provider.equals(LOCAL) && (baseUrl == null || baseUrl.isBlank())) {
            throw new IllegalArgumentException("model " + name + " needs a base-url");
        }
        if (inputPricePerMillion.signum() < 0 || outputPricePerMillion.signum() < 0) {
            throw new IllegalArgumentException("model " + name + ": prices cannot be negative");
        }
        if (contextWindow < 256 || maxConcurrency < 1) {
            throw new IllegalArgumentException("model " + name + ": context-window >= 256 and max-concurrency >= 1");
        }
        if (requestsPerMinute < 0 || tokensPerMinute < 0) {
            throw new IllegalArgumentException("model " + name + ": per-minute limits cannot be negative");
        }
        fallbacks = List.copyOf(fallbacks);
    }

    /** What this many tokens cost, in USD. */
    public BigDecimal cost(long inputTokens, long outputTokens) {
        return inputPricePerMillion
                .multiply(BigDecimal.valueOf(inputTokens))
                .add(outputPricePerMillion.multiply(BigDecimal.valueOf(outputTokens)))
                .divide(MILLION, MathContext.DECIMAL64);
    }

    public boolean isLocal() {
        return provider.equals(LOCAL);
    }
}
