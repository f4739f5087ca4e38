package dev.colloquy.conversation;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message to append: what the chat turn writes for the user's words and for the model's answer
 * (with its model, token counts and latency), and what a bulk import writes. A question names its
 * images; those not stored yet are stored with it ({@link ConversationManagement#append}).
 */
public record NewMessage(
        MessageRole role,
        String content,
        @Nullable String model,
        MessageStatus status,
        @Nullable Integer inputTokens,
        @Nullable Integer outputTokens,
        @Nullable Integer latencyMs,
        List<Citation> citations,
        List<MessageImage> images) {

    public NewMessage {
        citations = citations == null ? List.of() : List.copyOf(citations);
        images = images == null ? List.of() : List.copyOf(images);
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
        return fromUser(content, List.of());
    }

    /** A question with the images attached to it. */
    public static NewMessage fromUser(String content, List<MessageImage> images) {
        return new NewMessage(
                MessageRole.USER, content, null, MessageStatus.COMPLETE, null, null, null, List.of(), images);
    }

    private static void requireNotNegative(@Nullable Integer value, String name) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }
}
