package dev.colloquy.llm;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The shape the answer must take: {@code text}, {@code json_object}, or {@code json_schema} with its
 * schema, name and strictness.
 */
public record ResponseFormat(
        String type,
        @Nullable String name,
        @Nullable JsonNode schema,
        @Nullable Boolean strict) {

    public boolean isSchema() {
        return type.equals("json_schema");
    }

    public boolean isText() {
        return type.equals("text");
    }
}
