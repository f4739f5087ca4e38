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
 *
 * @param dropParams whether a parameter the upstream's API cannot honour is dropped (and the answer
 *     says so in {@code X-Colloquy-Dropped-Params}) instead of refused with 400
 * @param structuredOutput whether an Anthropic model takes a JSON schema for its answer (Anthropic's
 *     structured outputs); OpenAI-compatible upstreams get {@code response_format} as sent
 * @param cachedInputPricePerMillion USD per million prompt tokens read from the upstream's prompt
 *     cache; null: the input price
 * @param cacheWritePricePerMillion USD per million prompt tokens written to it; null: the input price
 * @param reasoningPricePerMillion USD per million answer tokens spent on reasoning; null: the output
 *     price
 * @param images whether the model takes images in a question: the chat sends a question's images to
 *     it, and refuses images attached for a model that does not ({@code /v1} forwards what it is sent)
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
        int tokensPerMinute,
        boolean dropParams,
        boolean structuredOutput,
        @Nullable BigDecimal cachedInputPricePerMillion,
        @Nullable BigDecimal cacheWritePricePerMillion,
        @Nullable BigDecimal reasoningPricePerMillion,
        boolean images) {

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
        if (inputPricePerMillion.signum() < 0
                || outputPricePerMillion.signum() < 0
                || cachedInputPricePerMillion != null && cachedInputPricePerMillion.signum() < 0
                || cacheWritePricePerMillion != null && cacheWritePricePerMillion.signum() < 0
                || reasoningPricePerMillion != null && reasoningPricePerMillion.signum() < 0) {
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

    /** What these tokens cost, in USD: each bucket at its own price where one is set, each token once. */
    public BigDecimal cost(TokenUsage usage) {
        var cachedPrice = cachedInputPricePerMillion == null ? inputPricePerMillion : cachedInputPricePerMillion;
        var writePrice = cacheWritePricePerMillion == null ? inputPricePerMillion : cacheWritePricePerMillion;
        var reasoningPrice = reasoningPricePerMillion == null ? outputPricePerMillion : reasoningPricePerMillion;
        long plainInput = Math.max(0, (long) usage.input() - usage.cachedInput() - usage.cacheWrite());
        long plainOutput = Math.max(0, (long) usage.output() - usage.reasoning());
        return inputPricePerMillion
                .multiply(BigDecimal.valueOf(plainInput))
                .add(cachedPrice.multiply(BigDecimal.valueOf(usage.cachedInput())))
                .add(writePrice.multiply(BigDecimal.valueOf(usage.cacheWrite())))
                .add(outputPricePerMillion.multiply(BigDecimal.valueOf(plainOutput)))
                .add(reasoningPrice.multiply(BigDecimal.valueOf(usage.reasoning())))
                .divide(MILLION, MathContext.DECIMAL64);
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
