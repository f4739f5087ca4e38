package dev.colloquy.user;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.web.NotFound;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/** Creating, listing, revoking and resolving API keys. A key's secret is shown once, at creation. */
@Service
public class ApiKeyManagement {

    /** A new key and its secret, which is not kept anywhere and cannot be shown again. */
    public record CreatedApiKey(ApiKey key, String secret) {}

    private static final int VISIBLE_PREFIX = SecretTokens.API_KEY_PREFIX.length() + 6;

    private final ApiKeys keys;
    private final TypedCache<CurrentUser> resolved;

    ApiKeyManagement(ApiKeys keys, TwoTierCache cache) {
        this.keys = keys;
        this.resolved = cache.typed(CacheNamespace.SESSION, CurrentUser.class);
    }

    public CreatedApiKey create(UUID userId, String name, AccessScope scope) {
        return create(userId, name, scope, null, null);
    }

    /** A key with its own per-minute limits (null: only the owner's apply). */
    public CreatedApiKey create(
            UUID userId,
            String name,
            AccessScope scope,
            @Nullable Integer requestsPerMinute,
            @Nullable Integer tokensPerMinute) {
        return create(userId, name, scope, requestsPerMinute, tokensPerMinute, null);
    }

    /** A key with its own per-minute limits and an expiry (null: until revoked). */
    public CreatedApiKey create(
            UUID userId,
            String name,
            AccessScope scope,
            @Nullable Integer requestsPerMinute,
            @Nullable Integer tokensPerMinute,
            @Nullable Instant expiresAt) {
        var secret = SecretTokens.generate(SecretTokens.API_KEY_PREFIX);
        var key = new ApiKey(
                Uuid7.next(),
                name.strip(),
                secret.substring(0, VISIBLE_PREFIX),
                scope,
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                requestsPerMinute,
                tokensPerMinute,
                expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MICROS));
        keys.insert(userId, key, SecretTokens.hash(secret));
        return new CreatedApiKey(key, secret);
    }

    public List<ApiKey> list(UUID userId) {
        return keys.list(userId);
    }

    public void revoke(UUID userId, UUID keyId) {
        var hash = keys.revoke(userId, keyId).orElseThrow(() -> new NotFound("API key " + keyId));
        resolved.evict(cacheKey(hash));
    }

    public Optional<CurrentUser> resolve(String secret) {
        var hash = SecretTokens.hash(secret);
        return Optional.ofNullable(resolved.getOrLoad(
                        cacheKey(hash), () -> keys.resolve(hash).orElse(null)))
                .filter(caller -> caller.apiKey() == null || !caller.apiKey().expired());
    }

    /** Forgets every resolved key of the account on every replica, after its status changed. */
    void forgetAllOf(UUID userId) {
        keys.hashesOf(userId).forEach(hash -> resolved.evict(cacheKey(hash)));
    }

    private static String cacheKey(byte[] hash) {
        return "api-key:" + HexFormat.of().formatHex(hash);
    }
}
