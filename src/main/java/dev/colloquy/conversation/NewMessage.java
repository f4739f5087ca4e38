package dev.colloquy.conversation;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message to append: what the chat turn writes for the user's words and for the model's answer
 * (with its model, token counts and latency), and what a bulk import writes.
 */
public record NewMessage(
        MessageRole role,
        String content,
        @Nullable String model,
        MessageStatus status,
        @Nullable Integer inputTokens,
        @Nullable Integer outputTokens,
        @Nullable Integer latencyMs,
        List<Citation> citations) {

    public NewMessage {
        citations = citations == null ? List.of() : List.copyOf(citations);
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(status, "status");
        if (content.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("content must not contain NUL characters");
        }
        requireNotNegative(inputTokens, "inputTokens");
        requireNotNegative(outputTokens, "outputTokens");
        requireNotNegative(latencyMs, "latencyMs");
    }

    public static NewMessage fromUser(String content) {
        return new NewMessage(MessageRole.USER, content, null, MessageStatus.COMPLETE, null, null, null, List.of());
    }

    private static void requireNotNegative(@Nullable Integer value, String name) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }
}
