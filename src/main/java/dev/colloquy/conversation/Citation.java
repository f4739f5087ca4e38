package dev.colloquy.conversation;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A passage of the user's documents that an answer was given: its number in the prompt ({@code [n]}),
 * where it is, and whether the answer cites it. Kept with the assistant message.
 */
public record Citation(
        int number,
        UUID documentId,
        UUID chunkId,
        String filename,
        String headingPath,
        @Nullable Integer page,
        boolean cited) {}
