package dev.colloquy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two-tier cache: a bounded in-process tier (Caffeine) in front of the shared tier (Redis).
 *
 * <p>Rules that keep it correct across replicas and Redis failures:
 *
 * <ol>
 *   <li>An invalidation removes the key from Redis, leaves a short tombstone that refuses values loaded
 *       before it, and tells every replica to drop its in-process copy (pub/sub).
 *   <li>The in-process tier is trusted only while that channel is alive: every replica publishes a
 *       heartbeat each second, and without one for three seconds the in-process tier is bypassed.
 *   <li>While Redis is unreachable nothing is cached and every read goes to PostgreSQL. A replica that
 *       saw Redis fail (breaker open, heartbeats lost) empties Colloquy's keys and its own tier before
 *       it reads from Redis again, so a write made during the outage is never followed by a stale read.
 *   <li>Concurrent misses for one key load it once per replica; a hit close to expiry reloads it in
 *       the background.
 * </ol>
 */
@Component
public class TwoTierCache {

    private static final Logger log = LoggerFactory.getLogger(TwoTierCache.class);
    private static final byte VALUE = 'V';
    private static final Duration GENERATION_TTL = Duration.ofDays(1);
    private static final long HEARTBEAT_MILLIS = 1_000;
    private static final long HEARTBEAT_LOST_MILLIS = 3_000;
    private static final int MAX_PENDING = 10_000;

    record Local(Object value, long expiresAtMillis, int sizeBytes) {}

    private sealed interface Pending permits PendingEvict, PendingBump {}

    private record PendingEvict(String key, String tombstoneKey) implements Pending {}

    private record PendingBump(String key) implements Pending {}

    private final SharedTier shared;
    private final CacheMetrics metrics;
    private final CacheProperties properties;
    private final JsonMapper json;
    private final Cache<String, Local> local;
    private final Cache<String, Long> localTombstones;
    private final Cache<String, Long> generations;
    private final ConcurrentHashMap<String, CompletableFuture<@Nullable Object>> loading = new ConcurrentHashMap<>();
    private final java.util.Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final String channel;
    private final String origin = java.util.UUID.randomUUID().toString();
    private volatile long lastHeartbeatMillis = System.currentTimeMillis();
    /** When this replica last sent a heartbeat: silence counts only after one went out unanswered. */
    private volatile long lastPublishedMillis = System.currentTimeMillis();

    private volatile boolean outageObserved;

    TwoTierCache(SharedTier shared, CacheMetrics metrics, CacheProperties properties, JsonMapper json) {
        this.shared = shared;
        this.metrics = metrics;
        this.properties = properties;
        this.json = json;
        // With Redis behind it the in-process tier holds an entry for local-ttl at most; alone, it is the
        // only tier and holds each entry for its full time to live.
        var localTtl = properties.localTtl();
        this.local = caffeine()
                .maximumSize(properties.localMaximumEntries())
                .expireAfter(Expiry.<String, Local>creating((key, entry) -> {
                    var untilExpiry =
                            Duration.ofMillis(Math.max(0, entry.expiresAtMillis() - System.currentTimeMillis()));
                    return shared.configured() && localTtl.compareTo(untilExpiry) < 0 ? localTtl : untilExpiry;
                }))
                .recordStats()
                .build();
        this.localTombstones = caffeine()
                .expireAfterWrite(properties.tombstoneTtl())
                .maximumSize(100_000)
                .build();
        // generations are re-read from Redis after local-ttl; alone, this tier is where they live
        this.generations = shared.configured()
                ? caffeine().expireAfterWrite(localTtl).maximumSize(100_000).build()
                : caffeine().maximumSize(100_000).build();
        this.channel = properties.keyPrefix() + ":invalidations";
        shared.subscribe(channel, this::onMessage);
        shared.onOutage(this::markOutage);
    }

    /**
     * A builder whose cache does its upkeep (reads recorded, entries expired) on the thread that
     * triggers it: handed to the common pool, it woke a thread several hundred times a second, 2% of
     * a gateway call's CPU (BENCHMARKS.md, issue 20).
     */
    private static Caffeine<Object, Object> caffeine() {
        return Caffeine.newBuilder().executor(Runnable::run);
    }

    /** A typed view of one namespace, for values of one record type. */
    public <T> TypedCache<T> typed(CacheNamespace namespace, Class<T> type) {
        return new TypedCache<>(
                this, namespace, type, properties.keyPrefix() + ":" + namespace.label() + ":" + Fingerprints.of(type));
    }

    /** Whether a Redis tier is configured. */
    public boolean shared() {
        return shared.configured();
    }

    /**
     * Removes every key matching the glob (relative to Colloquy's prefix, such as {@code
     * conversation:*}) from Redis with SCAN and UNLINK, and from every replica's in-process tier.
     */
    public long invalidatePattern(String glob) {
        if (!glob.matches("[A-Za-z0-9_:*?.{}\\-]{1,200}")) {
            throw new IllegalArgumentException("a pattern uses letters, digits and _ : * ? . { } - only");
        }
        var full = properties.keyPrefix() + ":" + glob;
        long removed = dropLocal(full);
        if (shared.configured()) {
            removed += shared.unlinkMatching(full);
            publish("P", full);
        }
        for (var namespace : CacheNamespace.values()) {
            if (glob.startsWith(namespace.label() + ":") || glob.equals("*")) {
                metrics.invalidation(namespace, "pattern");
            }
        }
        return removed;
    }

    <T> @Nullable T get(CacheNamespace namespace, String key, Class<T> type) {
        var found = lookup(namespace, key, type);
        return found == null ? null : type.cast(found.value());
    }

    <T> @Nullable T getOrLoad(CacheNamespace namespace, String key, Class<T> type, Supplier<@Nullable T> loader) {
        var found = lookup(namespace, key, type);
        if (found != null) {
            refreshIfExpiring(namespace, key, found, loader);
            return type.cast(found.value());
        }
        var mine = new CompletableFuture<@Nullable Object>();
        var running = loading.putIfAbsent(key, mine);
        if (running != null) {
            try {
                return type.cast(running.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        }
        try {
            long started = System.currentTimeMillis();
            T value = loader.get();
            if (value != null) {
                put(namespace, key, value, started);
            }
            mine.complete(value);
            return value;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(key, mine);
        }
    }

    void put(CacheNamespace namespace, String key, Object value, long loadStartedMillis) {
        put(key, value, loadStartedMillis, properties.ttlOf(namespace));
    }

    void put(String key, Object value, long loadStartedMillis, Duration ttl) {
        long expiresAt = System.currentTimeMillis() + ttl.toMillis();
        var encoded = encode(value, expiresAt);
        var tombstone = localTombstones.getIfPresent(key);
        if (tombstone == null || tombstone < loadStartedMillis) {
            local.put(key, new Local(value, expiresAt, encoded.length));
        }
        if (!shared.configured()) {
            return;
        }
        try {
            if (ensureRecovered()) {
                shared.put(key, tombstoneKey(key), encoded, ttl, loadStartedMillis);
            }
        } catch (SharedTierUnavailable e) {
            log.debug("Not cached in Redis: {}", e.getMessage());
        }
    }

    /** Stores a value under a key that carries its own generation, so no tombstone can apply. */
    void putGenerational(CacheNamespace namespace, String key, Object value, Duration ttl) {
        long expiresAt = System.currentTimeMillis() + ttl.toMillis();
        var encoded = encode(value, expiresAt);
        local.put(key, new Local(value, expiresAt, encoded.length));
        if (shared.configured()) {
            try {
                if (ensureRecovered()) {
                    shared.putPlain(key, encoded, ttl);
                }
            } catch (SharedTierUnavailable e) {
                log.debug("Not cached in Redis: {}", e.getMessage());
            }
        }
    }

    /**
     * Drops the key everywhere; inside a transaction, again once it commits, so a read that loaded the
     * old row between the two cannot leave it cached.
     */
    void evict(CacheNamespace namespace, String key) {
        evictNow(namespace, key);
        afterCommit(() -> evictNow(namespace, key));
    }

    private void evictNow(CacheNamespace namespace, String key) {
        long now = System.currentTimeMillis();
        localTombstones.put(key, now);
        local.invalidate(key);
        metrics.invalidation(namespace, "key");
        if (!shared.configured()) {
            return;
        }
        try {
            ensureRecovered();
            shared.evict(key, tombstoneKey(key), now, properties.tombstoneTtl());
            publish("K", key);
        } catch (SharedTierUnavailable e) {
            remember(new PendingEvict(key, tombstoneKey(key)));
        }
    }

    /** The current generation of a group of keys; -1 when it cannot be known and nothing may be cached. */
    long generation(String key) {
        if (localTrusted()) {
            var known = generations.getIfPresent(key);
            if (known != null) {
                return known;
            }
        }
        if (!shared.configured()) {
            return generations.get(key, k -> nowMicros());
        }
        try {
            if (!ensureRecovered()) {
                return -1;
            }
            long generation = shared.generation(key, nowMicros(), GENERATION_TTL);
            generations.put(key, generation);
            return generation;
        } catch (SharedTierUnavailable e) {
            return -1;
        }
    }

    /**
     * Moves a group of keys to a new generation: every entry stored under the old one is unreachable.
     * Inside a transaction it moves again once the transaction commits, as {@link #evict} does.
     */
    void bumpGeneration(CacheNamespace namespace, String key) {
        bumpNow(namespace, key);
        afterCommit(() -> bumpNow(namespace, key));
    }

    /** Runs the action after the current transaction commits; nothing when there is none. */
    private static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()
                && TransactionSynchronizationManager.isActualTransactionActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        }
    }

    private void bumpNow(CacheNamespace namespace, String key) {
        metrics.invalidation(namespace, "group");
        long floor = nowMicros();
        if (!shared.configured()) {
            generations.asMap().merge(key, floor, (old, candidate) -> Math.max(old + 1, candidate));
            return;
        }
        generations.invalidate(key);
        try {
            ensureRecovered();
            generations.put(key, shared.bumpGeneration(key, floor, GENERATION_TTL));
            publish("G", key);
        } catch (SharedTierUnavailable e) {
            remember(new PendingBump(key));
        }
    }

    String generationKey(String scope) {
        return properties.keyPrefix() + ":" + CacheNamespace.HTTP.label() + ":gen:{" + scope + "}";
    }

    String responseKeyPrefix() {
        return properties.keyPrefix() + ":" + CacheNamespace.HTTP.label() + ":" + Fingerprints.of(CachedResponse.class);
    }

    /** Whether anything may be cached now: always without Redis, with Redis only while it answers. */
    boolean available() {
        return !shared.configured() || (!outageObserved && localTrusted());
    }

    @Scheduled(fixedRate = HEARTBEAT_MILLIS)
    void heartbeat() {
        if (!shared.configured()) {
            return;
        }
        try {
            ensureRecovered();
            shared.publish(channel, origin + "|H|");
            lastPublishedMillis = System.currentTimeMillis();
        } catch (SharedTierUnavailable e) {
            log.debug("Heartbeat not sent: {}", e.getMessage());
        }
    }

    void markOutage() {
        if (shared.configured() && !outageObserved) {
            outageObserved = true;
            log.warn("Redis is unavailable: serving from PostgreSQL until it is back");
        }
    }

    CacheStatsSnapshot.Local localStats() {
        var stats = local.stats();
        return new CacheStatsSnapshot.Local(
                local.estimatedSize(), stats.evictionCount(), pendingCount.get(), available());
    }

    java.util.Map<CacheNamespace, CacheMetrics.Sizes> localSizes() {
        var sizes = new java.util.EnumMap<CacheNamespace, long[]>(CacheNamespace.class);
        for (var namespace : CacheNamespace.values()) {
            sizes.put(namespace, new long[2]);
        }
        local.asMap().forEach((key, entry) -> {
            for (var namespace : CacheNamespace.values()) {
                if (key.startsWith(properties.keyPrefix() + ":" + namespace.label() + ":")) {
                    sizes.get(namespace)[0]++;
                    sizes.get(namespace)[1] += entry.sizeBytes() + key.length();
                }
            }
        });
        var result = new java.util.EnumMap<CacheNamespace, CacheMetrics.Sizes>(CacheNamespace.class);
        sizes.forEach((namespace, pair) -> result.put(namespace, new CacheMetrics.Sizes(pair[0], pair[1])));
        return result;
    }

    String prefix() {
        return properties.keyPrefix();
    }

    private record Found(Object value, long expiresAtMillis) {}

    private @Nullable Found lookup(CacheNamespace namespace, String key, Class<?> type) {
        long started = System.nanoTime();
        if (localTrusted()) {
            var entry = local.getIfPresent(key);
            if (entry != null && entry.expiresAtMillis() > System.currentTimeMillis()) {
                metrics.hit(namespace, CacheMetrics.Tier.L1);
                metrics.operation("get", "l1", System.nanoTime() - started);
                return new Found(entry.value(), entry.expiresAtMillis());
            }
        }
        metrics.miss(namespace, CacheMetrics.Tier.L1);
        if (!shared.configured()) {
            return null;
        }
        try {
            if (!ensureRecovered()) {
                metrics.miss(namespace, CacheMetrics.Tier.L2);
                return null;
            }
            var bytes = shared.get(key);
            var decoded = bytes == null ? null : decode(bytes, type);
            if (decoded == null) {
                metrics.miss(namespace, CacheMetrics.Tier.L2);
                return null;
            }
            metrics.hit(namespace, CacheMetrics.Tier.L2);
            if (localTrusted()) {
                var tombstone = localTombstones.getIfPresent(key);
                if (tombstone == null) {
                    local.put(key, new Local(decoded.value(), decoded.expiresAtMillis(), bytes.length));
                }
            }
            return decoded;
        } catch (SharedTierUnavailable e) {
            metrics.miss(namespace, CacheMetrics.Tier.L2);
            return null;
        }
    }

    private <T> void refreshIfExpiring(
            CacheNamespace namespace, String key, Found found, Supplier<@Nullable T> loader) {
        long ttl = properties.ttlOf(namespace).toMillis();
        long left = found.expiresAtMillis() - System.currentTimeMillis();
        if (left > ttl * properties.refreshAhead()
                || ThreadLocalRandom.current().nextDouble() > 0.5) {
            return;
        }
        if (refreshing.add(key)) {
            Thread.ofVirtual().name("cache-refresh").start(() -> {
                try {
                    long started = System.currentTimeMillis();
                    var value = loader.get();
                    if (value != null) {
                        put(namespace, key, value, started);
                    }
                } catch (RuntimeException e) {
                    log.debug("Background refresh failed: {}", e.getMessage());
                } finally {
                    refreshing.remove(key);
                }
            });
        }
    }

    /** Readies Redis for use after an outage or failed invalidations; false while it is still unusable. */
    private boolean ensureRecovered() {
        if (!outageObserved && pendingCount.get() == 0) {
            return true;
        }
        synchronized (pending) {
            if (outageObserved) {
                // the cache's own namespaces only: rate-limit windows, budget reservations and login
                // throttles share the prefix and must outlive one replica's outage
                long removed = 0;
                for (var namespace : CacheNamespace.values()) {
                    removed += shared.unlinkMatching(properties.keyPrefix() + ":" + namespace.label() + ":*");
                }
                pending.clear();
                pendingCount.set(0);
                local.invalidateAll();
                generations.invalidateAll();
                publish("A", "");
                outageObserved = false;
                log.info(
                        "Redis is back: emptied {} cached keys so nothing written during the outage reads stale",
                        removed);
                return true;
            }
            for (var next = pending.peek(); next != null; next = pending.peek()) {
                switch (next) {
                    case PendingEvict evict ->
                        shared.evict(
                                evict.key(),
                                evict.tombstoneKey(),
                                System.currentTimeMillis(),
                                properties.tombstoneTtl());
                    case PendingBump bump -> shared.bumpGeneration(bump.key(), nowMicros(), GENERATION_TTL);
                }
                pending.poll();
                pendingCount.decrementAndGet();
            }
            publish("A", "");
            return true;
        }
    }

    private void remember(Pending invalidation) {
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            markOutage();
            return;
        }
        pending.add(invalidation);
    }

    private boolean localTrusted() {
        if (!shared.configured()) {
            return true;
        }
        // Heartbeats sent but not heard back: the subscription is broken. A replica that sent none (its
        // scheduler paused or starved: a long GC, busy cores, a paused test context) has lost nothing,
        // and must not empty everyone's keys when it wakes.
        if (lastPublishedMillis - lastHeartbeatMillis > HEARTBEAT_LOST_MILLIS) {
            markOutage();
            return false;
        }
        return !outageObserved && pendingCount.get() == 0;
    }

    private void onMessage(String message) {
        var parts = message.split("\\|", 3);
        if (parts.length < 3) {
            return;
        }
        lastHeartbeatMillis = System.currentTimeMillis();
        if (origin.equals(parts[0])) {
            return;
        }
        switch (parts[1]) {
            case "K" -> local.invalidate(parts[2]);
            case "G" -> generations.invalidate(parts[2]);
            case "P" -> dropLocal(parts[2]);
            case "A" -> {
                local.invalidateAll();
                generations.invalidateAll();
            }
            default -> {}
        }
    }

    private void publish(String kind, String payload) {
        try {
            shared.publish(channel, origin + "|" + kind + "|" + payload);
        } catch (SharedTierUnavailable e) {
            log.debug("Invalidation not published: {}", e.getMessage());
        }
    }

    private long dropLocal(String glob) {
        var regex = java.util.regex.Pattern.compile(globToRegex(glob));
        long removed = 0;
        for (var key : local.asMap().keySet()) {
            if (regex.matcher(key).matches()) {
                local.invalidate(key);
                removed++;
            }
        }
        generations.asMap().keySet().removeIf(key -> regex.matcher(key).matches());
        return removed;
    }

    private static String globToRegex(String glob) {
        var regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    private byte[] encode(Object value, long expiresAtMillis) {
        var payload = json.writeValueAsBytes(value);
        return ByteBuffer.allocate(9 + payload.length)
                .put(VALUE)
                .putLong(expiresAtMillis)
                .put(payload)
                .array();
    }

    private @Nullable Found decode(byte[] bytes, Class<?> type) {
        if (bytes.length < 9 || bytes[0] != VALUE) {
            return null;
        }
        try {
            long expiresAt = ByteBuffer.wrap(bytes, 1, 8).getLong();
            return new Found(json.readValue(bytes, 9, bytes.length - 9, type), expiresAt);
        } catch (RuntimeException e) {
            metrics.error("decode");
            log.debug("Cached value of {} unreadable, treated as a miss: {}", type.getSimpleName(), e.getMessage());
            return null;
        }
    }

    private static String tombstoneKey(String key) {
        return key + ":t";
    }

    private static long nowMicros() {
        var now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
