package dev.colloquy.cache;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The tier shared by every replica: Redis when one is configured. Every call either answers or
 * throws {@link SharedTierUnavailable}; none blocks longer than the Redis command timeout.
 */
interface SharedTier extends AutoCloseable {

    /** Whether a shared tier is configured at all; without one the service runs on the local tier only. */
    boolean configured();

    /** The stored bytes, or null when the key holds nothing. */
    byte @org.jspecify.annotations.Nullable [] get(String key);

    /** Stores the value unless the key was invalidated at or after {@code loadStartedMillis}. */
    boolean put(String key, String tombstoneKey, byte[] value, Duration ttl, long loadStartedMillis);

    /** Stores the value as it is (keys that carry a generation need no tombstone). */
    void putPlain(String key, byte[] value, Duration ttl);

    /** Removes the key and leaves a tombstone that refuses values loaded before now. */
    void evict(String key, String tombstoneKey, long nowMillis, Duration tombstoneTtl);

    /** The generation stored at the key, first set to {@code initial} when there is none. */
    long generation(String key, long initial, Duration ttl);

    /** Moves the generation past both its current value and {@code floor}; returns the new one. */
    long bumpGeneration(String key, long floor, Duration ttl);

    /** Unlinks every key matching the glob, in batches found with SCAN; returns how many. */
    long unlinkMatching(String glob);

    void publish(String channel, String message);

    void subscribe(String channel, Consumer<String> listener);

    /** Server facts for the stats: memory, key counts, evictions. */
    Map<String, String> info();

    /** Key count, sampled memory and TTLs of the keys matching the glob (bounded scan). */
    KeySample sample(String glob, int maxKeys);

    @Override
    default void close() {}

    /** Runs the listener whenever the shared tier is judged down (its circuit breaker opens). */
    default void onOutage(Runnable listener) {}

    record KeySample(long keys, long bytes, double averageTtlSeconds) {}
}
