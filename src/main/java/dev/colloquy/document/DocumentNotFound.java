package dev.colloquy.document;

import dev.colloquy.web.NotFound;
import java.util.UUID;

/** No such document of the caller's (another user's answers the same: no existence leak). */
final class DocumentNotFound extends NotFound {

    DocumentNotFound(UUID id) {
        super("document " + id);
    }
}
