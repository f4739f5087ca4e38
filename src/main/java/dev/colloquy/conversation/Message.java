package dev.colloquy.conversation;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One message of a conversation; {@code seq} counts from 1 in the order messages were appended. */
public record Message(
        UUID id,
        UUID conversationId,
        int seq,
        MessageRole role,
        String content,
        @Nullable String model,
        MessageStatus status,
        @Nullable Integer inputTokens,
        @Nullable Integer outputTokens,
        @Nullable Integer latencyMs,
        Instant createdAt,
        List<Citation> citations) {

    public Message {
        citations = citations == null ? List.of() : List.copyOf(citations);
    }
}
