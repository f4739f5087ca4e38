package dev.colloquy.llm;

import java.math.BigDecimal;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a model answered: its text, the tokens billed and what they cost. An answer cut short (the
 * client left, the upstream broke off after streaming) is {@code complete = false}, and still billed
 * for what was produced.
 *
 * @param overhead time spent in Colloquy rather than waiting for the upstream
 * @param cached whether the answer came from the response cache
 */
public record Completion(
        String model,
        String provider,
        String text,
        int inputTokens,
        int outputTokens,
        BigDecimal costUsd,
        boolean complete,
        String finishReason,
        Duration latency,
        @Nullable Duration timeToFirstToken,
        Duration overhead,
        boolean cached) {}
