package dev.colloquy.llm;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A function the model may call.
 *
 * @param parameters its JSON Schema, kept whole
 * @param strict OpenAI's strict schema adherence, if asked for
 */
public record ToolSpec(
        String name,
        @Nullable String description,
        JsonNode parameters,
        @Nullable Boolean strict) {
    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parameters, "parameters");
    }
}
