package dev.colloquy.conversation;

import java.util.Objects;
import java.util.UUID;

/** An image to store with a new question: its bytes already read, checked and stripped of metadata. */
public record NewImage(UUID id, String mediaType, int width, int height, byte[] bytes) {

    public NewImage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** How the question names it. */
    public MessageImage named() {
        return new MessageImage(id, mediaType, width, height, bytes.length);
    }
}
