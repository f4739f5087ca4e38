package dev.colloquy.llm.spend;

import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One model call in the ledger. */
public record UsageRecord(
        UUID id,
        UUID userId,
        @Nullable UUID conversationId,
        String model,
        String provider,
        int inputTokens,
        int outputTokens,
        BigDecimal costUsd,
        String status,
        int latencyMs,
        Instant createdAt,
        BigDecimal savedUsd,
        int cachedInputTokens,
        int cacheWriteTokens,
        int reasoningTokens) {

    /** A call of this model now, priced at the model's rates. */
    public static UsageRecord of(
            UUID userId,
            @Nullable UUID conversationId,
            LlmModel model,
            int inputTokens,
            int outputTokens,
            String status,
            java.time.Duration latency) {
        return of(userId, conversationId, model, TokenUsage.of(inputTokens, outputTokens), status, latency);
    }

    /** A call of this model now, each bucket of its tokens priced at the model's rate for it. */
    public static UsageRecord of(
            UUID userId,
            @Nullable UUID conversationId,
            LlmModel model,
            TokenUsage usage,
            String status,
            java.time.Duration latency) {
        return new UsageRecord(
                dev.colloquy.platform.Uuid7.next(),
                userId,
                conversationId,
                model.name(),
                model.provider(),
                usage.input(),
                usage.output(),
                model.cost(usage),
                status,
                (int) Math.min(Integer.MAX_VALUE, latency.toMillis()),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
                BigDecimal.ZERO,
                usage.cachedInput(),
                usage.cacheWrite(),
                usage.reasoning());
    }

    /** The same call answered from the response cache: no cost, and what it would have cost saved. */
    public UsageRecord servedFromCache(BigDecimal saved) {
        return new UsageRecord(
                id,
                userId,
                conversationId,
                model,
                provider,
                inputTokens,
                outputTokens,
                BigDecimal.ZERO,
                "cached",
                latencyMs,
                createdAt,
                saved,
                cachedInputTokens,
                cacheWriteTokens,
                reasoningTokens);
    }

    Object[] row() {
        return new Object[] {
            id,
            userId,
            conversationId,
            model,
            provider,
            inputTokens,
            outputTokens,
            costUsd,
            status,
            latencyMs,
            createdAt,
            savedUsd,
            cachedInputTokens,
            cacheWriteTokens,
            reasoningTokens
        };
    }
}
