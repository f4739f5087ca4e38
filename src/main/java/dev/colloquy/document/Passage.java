package dev.colloquy.document;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One chunk of a ready document as its owner reads it: what a citation opens. */
public record Passage(
        UUID documentId,
        UUID chunkId,
        String filename,
        int position,
        String headingPath,
        @Nullable Integer page,
        String content) {}
