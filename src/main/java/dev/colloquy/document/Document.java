package dev.colloquy.document;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A document as its owner sees it.
 *
 * @param status {@code processing}, {@code ready} or {@code failed}
 * @param failureReason why it failed, in words the owner can act on
 * @param version bumped each time its chunks or their vectors change
 */
public record Document(
        UUID id,
        String filename,
        String contentType,
        long sizeBytes,
        String status,
        @Nullable String failureReason,
        @Nullable Integer pages,
        int chunkCount,
        @Nullable String embeddingModel,
        int version,
        Instant createdAt,
        Instant updatedAt) {

    public static final String PROCESSING = "processing";
    public static final String READY = "ready";
    public static final String FAILED = "failed";
}
