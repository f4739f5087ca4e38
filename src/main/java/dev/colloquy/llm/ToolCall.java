package dev.colloquy.llm;

import java.util.Objects;

/**
 * A call of a function tool the model made.
 *
 * @param arguments the arguments as the model wrote them: JSON text, possibly not valid JSON
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
