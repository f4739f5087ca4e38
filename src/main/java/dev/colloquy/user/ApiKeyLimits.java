package dev.colloquy.user;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The limits of the API key a request presented, applied on top of its owner's.
 *
 * @param requestsPerMinute model calls per minute through this key; null: only the owner's limit
 * @param tokensPerMinute tokens per minute through this key; null: only the owner's limit
 * @param expiresAt when the key stops working; null: when revoked
 * @param models the models this key may call, within its owner's; null: the owner's
 */
public record ApiKeyLimits(
        UUID keyId,
        @Nullable Integer requestsPerMinute,
        @Nullable Integer tokensPerMinute,
        @Nullable Instant expiresAt,
        @Nullable List<String> models) {

    public ApiKeyLimits(UUID keyId, @Nullable Integer requestsPerMinute, @Nullable Integer tokensPerMinute) {
        this(keyId, requestsPerMinute, tokensPerMinute, null, null);
    }

    public ApiKeyLimits {
        models = models == null ? null : List.copyOf(models);
    }

    /** Whether the key has stopped working by now (it was resolved before it expired). */
    public boolean expired() {
        return expiresAt != null && !expiresAt.isAfter(Instant.now());
    }

    public boolean any() {
        return requestsPerMinute != null || tokensPerMinute != null;
    }
}
