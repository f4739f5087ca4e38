package dev.colloquy.user;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The rate limits of the API key a request presented, applied on top of its owner's.
 *
 * @param requestsPerMinute model calls per minute through this key; null: only the owner's limit
 * @param tokensPerMinute tokens per minute through this key; null: only the owner's limit
 */
public record ApiKeyLimits(
        UUID keyId,
        @Nullable Integer requestsPerMinute,
        @Nullable Integer tokensPerMinute) {

    public boolean any() {
        return requestsPerMinute != null || tokensPerMinute != null;
    }
}
