package dev.colloquy.llm;

import dev.colloquy.user.ApiKeyLimits;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One call of a model on behalf of a user.
 *
 * @param model the model asked for; null means the default model
 * @param options how the model is to answer
 * @param conversationId the conversation the call answers in, if any (for the ledger)
 * @param notRetrieved messages the built-in model must not quote (the question itself)
 * @param cache how the call may use the response cache
 * @param apiKey the limits of the API key the caller presented, if any
 * @param sources passages of the caller's documents retrieved for the call, already in the messages
 * @param openAiBody the body as an OpenAI client sent it (with any passages added), which an
 *     OpenAI-compatible upstream gets as sent but for {@code model} and {@code stream_options}
 */
public record ChatRequest(
        UUID userId,
        @Nullable String model,
        List<LlmMessage> messages,
        ModelOptions options,
        @Nullable UUID conversationId,
        Set<UUID> notRetrieved,
        CachePolicy cache,
        @Nullable ApiKeyLimits apiKey,
        List<DocumentSource> sources,
        @Nullable ObjectNode openAiBody) {

    /** Messages one call takes at most, on every wire. */
    public static final int MAX_MESSAGES = 1_000;

    /** A text call with the default cache policy: cached only when deterministic. */
    public ChatRequest(
            UUID userId,
            @Nullable String model,
            List<LlmMessage> messages,
            @Nullable Double temperature,
            @Nullable Integer maxTokens,
            @Nullable UUID conversationId,
            Set<UUID> notRetrieved) {
        this(
                userId,
                model,
                messages,
                ModelOptions.sampling(temperature, maxTokens),
                conversationId,
                notRetrieved,
                CachePolicy.DEFAULT,
                null,
                List.of(),
                null);
    }

    public ChatRequest {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        messages = List.copyOf(messages);
        notRetrieved = Set.copyOf(notRetrieved);
        sources = List.copyOf(sources);
    }

    public ChatRequest withOptions(ModelOptions changed) {
        return new ChatRequest(
                userId, model, messages, changed, conversationId, notRetrieved, cache, apiKey, sources, openAiBody);
    }

    /** The request with retrieved passages, given as the messages and wire body that now carry them. */
    public ChatRequest withSources(
            List<LlmMessage> withPassages, List<DocumentSource> passages, @Nullable ObjectNode body) {
        return new ChatRequest(
                userId, model, withPassages, options, conversationId, notRetrieved, cache, apiKey, passages, body);
    }

    public @Nullable Double temperature() {
        return options.temperature();
    }

    public @Nullable Integer maxTokens() {
        return options.maxTokens();
    }
}
