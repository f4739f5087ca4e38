package dev.colloquy.llm;

import dev.colloquy.user.ApiKeyLimits;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One call of a model on behalf of a user.
 *
 * @param model the model asked for; null means the default model
 * @param conversationId the conversation the call answers in, if any (for the ledger)
 * @param notRetrieved messages the built-in model must not quote (the question itself)
 * @param cache how the call may use the response cache
 * @param apiKey the limits of the API key the caller presented, if any
 * @param sources passages of the caller's documents retrieved for the call, already in the messages
 */
public record ChatRequest(
        UUID userId,
        @Nullable String model,
        List<LlmMessage> messages,
        @Nullable Double temperature,
        @Nullable Integer maxTokens,
        @Nullable UUID conversationId,
        Set<UUID> notRetrieved,
        CachePolicy cache,
        @Nullable ApiKeyLimits apiKey,
        List<DocumentSource> sources) {

    /** A call with the default cache policy: cached only when deterministic. */
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
                temperature,
                maxTokens,
                conversationId,
                notRetrieved,
                CachePolicy.DEFAULT,
                null,
                List.of());
    }

    public ChatRequest {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        if (temperature != null && (temperature < 0 || temperature > 2)) {
            throw new IllegalArgumentException("temperature must be between 0 and 2");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be positive");
        }
        messages = List.copyOf(messages);
        notRetrieved = Set.copyOf(notRetrieved);
        sources = List.copyOf(sources);
    }
}
