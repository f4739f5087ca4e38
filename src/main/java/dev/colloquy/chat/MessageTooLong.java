package dev.colloquy.chat;

import dev.colloquy.web.ApiProblem;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A message (with the system prompt) that leaves the model no room to answer. */
final class MessageTooLong extends ApiProblem {

    private final int limit;
    private final int tokens;

    MessageTooLong(String model, int limit, int tokens) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "message-too-long",
                "Message too long",
                "The message and system prompt take " + tokens + " tokens; model " + model + " reads at most " + limit
                        + " besides its answer");
        this.limit = limit;
        this.tokens = tokens;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("maxTokens", limit, "tokens", tokens);
    }
}
