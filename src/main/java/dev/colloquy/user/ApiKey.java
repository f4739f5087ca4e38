package dev.colloquy.user;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An API key as listed to its owner: never the secret itself, only its first characters; with its
 * own rate limits, expiry and models, if it has any, and when it was last used (to the minute).
 */
public record ApiKey(
        UUID id,
        String name,
        String prefix,
        AccessScope scope,
        Instant createdAt,
        @Nullable Integer requestsPerMinute,
        @Nullable Integer tokensPerMinute,
        @Nullable Instant expiresAt,
        @Nullable List<String> models,
        @Nullable Instant lastUsedAt) {

    public ApiKey {
        models = models == null ? null : List.copyOf(models);
    }
}
