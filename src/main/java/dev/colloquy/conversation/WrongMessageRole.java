package dev.colloquy.conversation;

import dev.colloquy.web.ApiProblem;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** Editing a message that is not a question (only what the user wrote is edited; answers are regenerated). */
final class WrongMessageRole extends ApiProblem {

    WrongMessageRole(UUID id, MessageRole role, String what) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "wrong-message-role",
                "Wrong message role",
                "Message " + id + " is a " + role.wireName() + " message: " + what);
    }
}
