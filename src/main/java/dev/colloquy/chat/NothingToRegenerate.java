package dev.colloquy.chat;

import dev.colloquy.web.ApiProblem;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** A message with no question before it (an imported conversation may open with an answer). */
final class NothingToRegenerate extends ApiProblem {

    NothingToRegenerate(UUID id) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "nothing-to-regenerate",
                "Nothing to regenerate",
                "Message " + id + " follows no question");
    }
}
