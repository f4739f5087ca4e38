package dev.colloquy.user;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An API key as listed to its owner: never the secret itself, only its first characters; with its
 * own rate limits and expiry, if it has any.
 */
public record ApiKey(
        UUID id,
        String name,
        String prefix,
        AccessScope scope,
        Instant createdAt,
        @Nullable Integer requestsPerMinute,
        @Nullable Integer tokensPerMinute,
        @Nullable Instant expiresAt) {}
