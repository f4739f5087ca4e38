package dev.colloquy.llm.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The OpenAI wire shapes of {@code /v1}'s model list and errors. Chat completions are read by {@link
 * OpenAiRequests} and written by {@link OpenAiAnswer}, as JSON trees, so no field is lost on the way.
 */
final class OpenAiApi {

    private OpenAiApi() {}

    record Model(
            String id,
            String object,
            long created,
            @JsonProperty("owned_by") String ownedBy) {}

    record ModelList(String object, List<Model> data) {}

    record Error(
            String message,
            String type,
            @Nullable String param,
            @Nullable String code) {}

    static Map<String, Error> error(String message, String type, @Nullable String code) {
        return error(message, type, null, code);
    }

    static Map<String, Error> error(String message, String type, @Nullable String param, @Nullable String code) {
        return Map.of("error", new Error(message, type, param, code));
    }
}
