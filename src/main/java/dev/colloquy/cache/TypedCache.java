package dev.colloquy.cache;

import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One namespace of the two-tier cache holding one record type: the Java form of the seed's {@code
 * get_conversation}, {@code set_user} and friends. Values are immutable records stored as JSON.
 */
public final class TypedCache<T> {

    private final TwoTierCache cache;
    private final CacheNamespace namespace;
    private final Class<T> type;
    private final String prefix;

    TypedCache(TwoTierCache cache, CacheNamespace namespace, Class<T> type, String prefix) {
        this.cache = cache;
        this.namespace = namespace;
        this.type = type;
        this.prefix = prefix;
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(cache.get(namespace, fullKey(key), type));
    }

    public void put(String key, T value) {
        cache.put(namespace, fullKey(key), value, System.currentTimeMillis());
    }

    /** Stores the value for this long instead of the namespace's TTL. */
    public void put(String key, T value, java.time.Duration ttl) {
        cache.put(fullKey(key), value, System.currentTimeMillis(), ttl);
    }

    /** The cached value, or the loader's (cached when not null); concurrent misses load once. */
    public @Nullable T getOrLoad(String key, Supplier<@Nullable T> loader) {
        return cache.getOrLoad(namespace, fullKey(key), type, loader);
    }

    /** Removes the value from both tiers on every replica; call it after the change is committed. */
    public void evict(String key) {
        cache.evict(namespace, fullKey(key));
    }

    private String fullKey(String key) {
        return prefix + ":{" + key + "}";
    }
}
