package dev.colloquy.llm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * How the model is to answer, apart from who asks: sampling, limits, tools and the answer's shape.
 *
 * @param stop sequences that end the answer
 * @param n answers wanted (OpenAI's {@code n}); 1 unless asked
 * @param others every other parameter as the caller sent it, by its OpenAI name ({@code
 *     frequency_penalty}, {@code logprobs}, {@code user}, and fields this version does not know): an
 *     OpenAI-compatible upstream gets them as sent, other targets translate them or refuse them
 */
public record ModelOptions(
        @Nullable Double temperature,
        @Nullable Integer maxTokens,
        @Nullable Double topP,
        List<String> stop,
        @Nullable Long seed,
        List<ToolSpec> tools,
        @Nullable ToolChoice toolChoice,
        @Nullable Boolean parallelToolCalls,
        @Nullable ResponseFormat responseFormat,
        int n,
        Map<String, JsonNode> others) {

    public static final ModelOptions DEFAULT =
            new ModelOptions(null, null, null, List.of(), null, List.of(), null, null, null, 1, Map.of());

    public ModelOptions {
        if (temperature != null && (temperature < 0 || temperature > 2)) {
            throw new IllegalArgumentException("temperature must be between 0 and 2");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be positive");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive");
        }
        stop = List.copyOf(stop);
        tools = List.copyOf(tools);
        others = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(others));
    }

    public static ModelOptions sampling(@Nullable Double temperature, @Nullable Integer maxTokens) {
        return new ModelOptions(
                temperature, maxTokens, null, List.of(), null, List.of(), null, null, null, 1, Map.of());
    }

    public ModelOptions withMaxTokens(int limit) {
        return new ModelOptions(
                temperature, limit, topP, stop, seed, tools, toolChoice, parallelToolCalls, responseFormat, n, others);
    }

    /** Whether the caller offered tools or asked for a JSON answer: what a plain text model cannot do. */
    public boolean needsToolsOrStructure() {
        return !tools.isEmpty() || responseFormat != null && !responseFormat.isText();
    }
}
