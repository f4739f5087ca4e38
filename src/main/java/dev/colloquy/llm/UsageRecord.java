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
        Instant createdAt) {

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
            createdAt
        };
    }
}
