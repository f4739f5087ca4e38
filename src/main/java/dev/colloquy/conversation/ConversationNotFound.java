package dev.colloquy.conversation;

import dev.colloquy.web.NotFound;
import java.util.UUID;

/** No conversation with this id belongs to the caller (whether or not it exists for someone else). */
final class ConversationNotFound extends NotFound {

    ConversationNotFound(UUID id) {
        super("Conversation " + id);
    }
}
