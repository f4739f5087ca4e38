package dev.colloquy.conversation;

import java.time.Instant;
import java.util.UUID;

/** A message matching a search, with a snippet whose matched words sit between « and ». */
public record SearchHit(
        UUID messageId,
        UUID conversationId,
        String conversationTitle,
        MessageRole role,
        String snippet,
        Instant createdAt) {}
