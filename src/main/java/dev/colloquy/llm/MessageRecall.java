package dev.colloquy.llm;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Where the built-in model finds what the caller wrote before: a port the gateway owns and the chat
 * feature implements, so the gateway knows no conversation storage.
 */
public interface MessageRecall {

    /** The caller's messages that hold any of these words, best first, at most {@code limit}. */
    List<Recalled> recall(UUID userId, List<String> words, int limit);

    /** A message found, with a snippet of it and where it was said. */
    record Recalled(UUID messageId, String role, String snippet, String conversationTitle, Instant createdAt) {}

    MessageRecall NONE = (userId, words, limit) -> List.of();
}
