package dev.colloquy.conversation;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A conversation as its owner sees it; {@code model} null means the service's default model, {@code
 * temperature} null the model's own default.
 */
public record Conversation(
        UUID id,
        String title,
        @Nullable String model,
        @Nullable String systemPrompt,
        @Nullable Double temperature,
        int messageCount,
        Instant createdAt,
        Instant updatedAt,
        Instant lastActivityAt) {}
