package dev.colloquy.conversation;

import dev.colloquy.web.NotFound;
import java.util.UUID;

/** No message with this id in the caller's conversation. */
final class MessageNotFound extends NotFound {

    MessageNotFound(UUID id) {
        super("Message " + id);
    }
}
