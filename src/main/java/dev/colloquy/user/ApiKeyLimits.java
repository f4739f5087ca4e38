package dev.colloquy.user;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The rate limits of the API key a request presented, applied on top of its owner's.
 *
 * @param requestsPerMinute model calls per minute through this key; null: only the owner's limit
 * @param tokensPerMinute tokens per minute through this key; null: only the owner's limit
 * @param expiresAt when the key stops working; null: when revoked
 */
public record ApiKeyLimits(
        UUID keyId,
        @Nullable Integer requestsPerMinute,
        @Nullable Integer tokensPerMinute,
        java.time.@Nullable Instant expiresAt) {

    public ApiKeyLimits(UUID keyId, @Nullable Integer requestsPerMinute, @Nullable Integer tokensPerMinute) {
        this(keyId, requestsPerMinute, tokensPerMinute, null);
    }

    /** Whether the key has stopped working by now (it was resolved before it expired). */
    public boolean expired() {
        return expiresAt != null && !expiresAt.isAfter(java.time.Instant.now());
    }

    public boolean any() {
        return requestsPerMinute != null || tokensPerMinute != null;
    }
}
