package dev.colloquy.llm;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One model call in the ledger. */
record UsageRecord(
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
        BigDecimal savedUsd) {

    /** A call of this model now, priced at the model's rates. */
    static UsageRecord of(
            UUID userId,
            @Nullable UUID conversationId,
            LlmModel model,
            int inputTokens,
            int outputTokens,
            String status,
            java.time.Duration latency) {
        return new UsageRecord(
                dev.colloquy.platform.Uuid7.next(),
                userId,
                conversationId,
                model.name(),
                model.provider(),
                inputTokens,
                outputTokens,
                model.cost(inputTokens, outputTokens),
                status,
                (int) Math.min(Integer.MAX_VALUE, latency.toMillis()),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
                BigDecimal.ZERO);
    }

    /** The same call answered from the response cache: no cost, and what it would have cost saved. */
    UsageRecord servedFromCache(BigDecimal saved) {
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
                saved);
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
            savedUsd
        };
    }
}
