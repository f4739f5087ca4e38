package dev.colloquy.conversation;

import java.util.Objects;
import java.util.UUID;

/**
 * An image attached to a question, as the question names it; its bytes are fetched on their own
 * ({@code GET /api/conversations/{id}/images/{imageId}}). An edited question names its original's
 * images.
 *
 * @param size bytes, as stored (metadata stripped)
 */
public record MessageImage(UUID id, String mediaType, int width, int height, int size) {

    public MessageImage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(mediaType, "mediaType");
    }
}
