package dev.colloquy.llm;

import java.util.Objects;
import java.util.Set;

/** One message of a prompt, in the roles every chat API shares. */
public record LlmMessage(String role, String content) {

    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    public LlmMessage {
        Objects.requireNonNull(content, "content");
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("role must be system, user or assistant");
        }
    }
}
