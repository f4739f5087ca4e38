package dev.colloquy.conversation;

import java.util.Base64;
import java.util.Objects;

/** A stored image's bytes and their media type. */
public record ImageBytes(String mediaType, byte[] bytes) {

    public ImageBytes {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** The image as a {@code data:} URL, as chat APIs take images inline. */
    public String dataUrl() {
        return "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }
}
