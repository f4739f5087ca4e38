package dev.colloquy.cache;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** No shared tier: the service runs on its in-process tier alone (one replica, no Redis configured). */
final class LocalOnlyTier implements SharedTier {

    private static final SharedTierUnavailable ABSENT =
            new SharedTierUnavailable("no Redis is configured", new IllegalStateException("no shared tier"));

    @Override
    public boolean configured() {
        return false;
    }

    @Override
    public byte @org.jspecify.annotations.Nullable [] get(String key) {
        throw ABSENT;
    }

    @Override
    public boolean put(String key, String tombstoneKey, byte[] value, Duration ttl, long loadStartedMillis) {
        throw ABSENT;
    }

    @Override
    public void putPlain(String key, byte[] value, Duration ttl) {
        throw ABSENT;
    }

    @Override
    public void evict(String key, String tombstoneKey, long nowMillis, Duration tombstoneTtl) {
        throw ABSENT;
    }

    @Override
    public long generation(String key, long initial, Duration ttl) {
        throw ABSENT;
    }

    @Override
    public long bumpGeneration(String key, long floor, Duration ttl) {
        throw ABSENT;
    }

    @Override
    public long unlinkMatching(String glob) {
        throw ABSENT;
    }

    @Override
    public void publish(String channel, String message) {
        throw ABSENT;
    }

    @Override
    public void subscribe(String channel, Consumer<String> listener) {}

    @Override
    public Map<String, String> info() {
        return Map.of();
    }

    @Override
    public KeySample sample(String glob, int maxKeys) {
        return new KeySample(0, 0, 0);
    }
}
