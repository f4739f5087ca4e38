package dev.colloquy.conversation;

import dev.colloquy.web.NotFound;
import java.util.UUID;

/** No image with this id in the caller's conversation. */
final class ImageNotFound extends NotFound {

    ImageNotFound(UUID id) {
        super("Image " + id);
    }
}
