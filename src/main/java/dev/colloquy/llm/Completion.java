package dev.colloquy.llm;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a model answered (its first choice): text, tool calls, the tokens billed and what they cost.
 * An answer cut short (the client left, the upstream broke off after streaming) is not {@link
 * #complete()}, and still billed for what was produced.
 *
 * @param overhead time spent in Colloquy rather than waiting for the upstream
 * @param cached whether the answer came from the response cache
 */
public record Completion(
        String model,
        String provider,
        String text,
        List<ToolCall> toolCalls,
        TokenUsage usage,
        BigDecimal costUsd,
        FinishReason finish,
        Duration latency,
        @Nullable Duration timeToFirstToken,
        Duration overhead,
        boolean cached) {

    public Completion {
        toolCalls = List.copyOf(toolCalls);
    }

    public boolean complete() {
        return finish.complete();
    }

    public int inputTokens() {
        return usage.input();
    }

    public int outputTokens() {
        return usage.output();
    }

    /** The finish reason's wire name: OpenAI's for a whole answer, else why it was cut short. */
    public String finishReason() {
        return finish.wire();
    }
}
