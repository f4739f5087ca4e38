package dev.colloquy.llm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI wire shapes Colloquy reads and writes on {@code /v1}, as the official SDKs send and
 * expect them. Fields Colloquy does not use are accepted and ignored, as OpenAI's own API does.
 */
final class OpenAiApi {

    private OpenAiApi() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ChatCompletionRequest(
            @Nullable String model,
            @Nullable List<RequestMessage> messages,
            @Nullable Boolean stream,
            @JsonProperty("stream_options") @Nullable StreamOptions streamOptions,
            @Nullable Double temperature,
            @JsonProperty("max_tokens") @Nullable Integer maxTokens,
            @JsonProperty("max_completion_tokens") @Nullable Integer maxCompletionTokens) {

        boolean streamed() {
            return Boolean.TRUE.equals(stream);
        }

        boolean includeUsage() {
            return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
        }

        @Nullable
        Integer tokenLimit() {
            return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record StreamOptions(
            @JsonProperty("include_usage") @Nullable Boolean includeUsage) {}

    /** A message; {@code content} is a string or a list of parts, of which the text parts are read. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RequestMessage(@Nullable String role, @Nullable JsonNode content) {

        String text() {
            if (content == null || content.isNull()) {
                return "";
            }
            if (content.isString()) {
                return content.asString();
            }
            var text = new StringBuilder();
            for (var part : content) {
                if ("text".equals(part.path("type").asString(""))) {
                    text.append(part.path("text").asString(""));
                }
            }
            return text.toString();
        }
    }

    record Usage(
            @JsonProperty("prompt_tokens") int promptTokens,
            @JsonProperty("completion_tokens") int completionTokens,
            @JsonProperty("total_tokens") int totalTokens) {

        static Usage of(Completion completion) {
            return new Usage(
                    completion.inputTokens(),
                    completion.outputTokens(),
                    completion.inputTokens() + completion.outputTokens());
        }
    }

    record ResponseMessage(String role, String content) {}

    record Choice(
            int index,
            ResponseMessage message,
            @JsonProperty("finish_reason") String finishReason) {}

    record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {}

    record Delta(
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            String role,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            String content) {}

    record ChunkChoice(
            int index,
            Delta delta,
            @JsonProperty("finish_reason") @Nullable String finishReason) {}

    record Chunk(
            String id,
            String object,
            long created,
            String model,
            List<ChunkChoice> choices,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Usage usage) {}

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
        return Map.of("error", new Error(message, type, null, code));
    }
}
