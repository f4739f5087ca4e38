package dev.colloquy.user;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.web.NotFound;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/** Creating, listing, revoking and resolving API keys. A key's secret is shown once, at creation. */
@Service
public class ApiKeyManagement {

    /** A new key and its secret, which is not kept anywhere and cannot be shown again. */
    public record CreatedApiKey(ApiKey key, String secret) {}

    private static final Logger log = LoggerFactory.getLogger(ApiKeyManagement.class);
    private static final int VISIBLE_PREFIX = SecretTokens.API_KEY_PREFIX.length() + 6;

    private final ApiKeys keys;
    private final TypedCache<CurrentUser> resolved;
    private final Map<UUID, Instant> lastUses = new ConcurrentHashMap<>();

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
        return create(userId, name, scope, requestsPerMinute, tokensPerMinute, expiresAt, null);
    }

    /** A key with its own limits, expiry and models (each null: the owner's, or none). */
    public CreatedApiKey create(
            UUID userId,
            String name,
            AccessScope scope,
            @Nullable Integer requestsPerMinute,
            @Nullable Integer tokensPerMinute,
            @Nullable Instant expiresAt,
            @Nullable List<String> models) {
        var secret = SecretTokens.generate(SecretTokens.API_KEY_PREFIX);
        var key = new ApiKey(
                Uuid7.next(),
                name.strip(),
                secret.substring(0, VISIBLE_PREFIX),
                scope,
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                requestsPerMinute,
                tokensPerMinute,
                expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MICROS),
                models,
                null);
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
                .filter(caller -> caller.apiKey() == null || !caller.apiKey().expired())
                .map(caller -> {
                    if (caller.apiKey() != null) {
                        lastUses.put(caller.apiKey().keyId(), Instant.now());
                    }
                    return caller;
                });
    }

    /**
     * Writes when keys were last used, once a minute and in one statement, so using a key costs no
     * database write; the list shows it within a minute.
     */
    @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
    @PreDestroy
    void recordLastUses() {
        if (lastUses.isEmpty()) {
            return;
        }
        var batch = new HashMap<UUID, Instant>();
        for (var id : List.copyOf(lastUses.keySet())) {
            var at = lastUses.remove(id);
            if (at != null) {
                batch.put(id, at);
            }
        }
        try {
            keys.touch(batch);
        } catch (RuntimeException e) {
            log.warn("Could not record when {} API key(s) were last used: {}", batch.size(), e.getMessage());
        }
    }

    /** Forgets every resolved key of the account on every replica, after its status changed. */
    void forgetAllOf(UUID userId) {
        keys.hashesOf(userId).forEach(hash -> resolved.evict(cacheKey(hash)));
    }

    private static String cacheKey(byte[] hash) {
        return "api-key:" + HexFormat.of().formatHex(hash);
    }
}
