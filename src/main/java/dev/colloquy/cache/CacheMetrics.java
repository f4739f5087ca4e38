package dev.colloquy.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/**
 * The cache's meters, under the names the dashboards and alerts use ({@code redis_cache_*},
 * {@code api_cache_response_time_seconds}). Tags come from fixed sets: namespace, tier ({@code l1},
 * {@code l2}), operation, result.
 */
@Component
class CacheMetrics {

    enum Tier {
        L1,
        L2;

        String tag() {
            return this == L1 ? "l1" : "l2";
        }
    }

    /** Sizes the stats updater samples; read by gauges. */
    record Sizes(long keys, long bytes) {}

    private final MeterRegistry registry;
    private final Map<CacheNamespace, Map<Tier, Counter>> hits = new EnumMap<>(CacheNamespace.class);
    private final Map<CacheNamespace, Map<Tier, Counter>> misses = new EnumMap<>(CacheNamespace.class);
    private final Map<CacheNamespace, Map<Tier, AtomicReference<Sizes>>> sizes = new EnumMap<>(CacheNamespace.class);
    private final Map<CacheNamespace, AtomicReference<Double>> ttlRemaining = new EnumMap<>(CacheNamespace.class);
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Timer> operations = new ConcurrentHashMap<>();
    private final Map<String, Counter> invalidations = new ConcurrentHashMap<>();
    private final Map<String, Timer> responses = new ConcurrentHashMap<>();
    private final AtomicLong l1Evictions = new AtomicLong();
    private final AtomicLong l2Evictions = new AtomicLong();
    private final AtomicLong circuitState = new AtomicLong();

    CacheMetrics(MeterRegistry registry) {
        this.registry = registry;
        // the usual operations exist from the start at zero, so rates and alerts have a series to read
        for (var operation : List.of("get", "put", "evict", "publish", "decode")) {
            errors.computeIfAbsent(
                    operation,
                    op -> Counter.builder("redis.cache.errors")
                            .description("Redis calls that failed, timed out or were refused by the open breaker")
                            .tag("operation", op)
                            .register(registry));
        }
        for (var namespace : CacheNamespace.values()) {
            var namespaceHits = new EnumMap<Tier, Counter>(Tier.class);
            var namespaceMisses = new EnumMap<Tier, Counter>(Tier.class);
            var namespaceSizes = new EnumMap<Tier, AtomicReference<Sizes>>(Tier.class);
            for (var tier : Tier.values()) {
                namespaceHits.put(
                        tier,
                        Counter.builder("redis.cache.hits")
                                .description("Cache lookups answered by this tier")
                                .tags("namespace", namespace.label(), "tier", tier.tag())
                                .register(registry));
                namespaceMisses.put(
                        tier,
                        Counter.builder("redis.cache.misses")
                                .description("Cache lookups this tier could not answer")
                                .tags("namespace", namespace.label(), "tier", tier.tag())
                                .register(registry));
                var size = new AtomicReference<>(new Sizes(0, 0));
                namespaceSizes.put(tier, size);
                Gauge.builder("redis.cache.keys", size, s -> s.get().keys())
                        .description("Entries held, sampled by the stats updater")
                        .tags("namespace", namespace.label(), "tier", tier.tag())
                        .register(registry);
                Gauge.builder("redis.cache.size.bytes", size, s -> s.get().bytes())
                        .description("Memory held by entries, sampled by the stats updater")
                        .tags("namespace", namespace.label(), "tier", tier.tag())
                        .register(registry);
            }
            hits.put(namespace, namespaceHits);
            misses.put(namespace, namespaceMisses);
            sizes.put(namespace, namespaceSizes);
            Gauge.builder("redis.cache.hit.rate", namespace, this::hitRate)
                    .description("Share of lookups answered by either tier since start")
                    .tags("namespace", namespace.label())
                    .register(registry);
            var ttl = new AtomicReference<>(0.0);
            ttlRemaining.put(namespace, ttl);
            Gauge.builder("redis.cache.ttl.remaining", ttl, AtomicReference::get)
                    .description("Average time to live left on sampled Redis entries")
                    .baseUnit("seconds")
                    .tags("namespace", namespace.label())
                    .register(registry);
        }
        io.micrometer.core.instrument.FunctionCounter.builder("redis.cache.evictions", l1Evictions, AtomicLong::get)
                .description("Entries evicted for lack of room")
                .tags("namespace", "all", "tier", "l1")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("redis.cache.evictions", l2Evictions, AtomicLong::get)
                .description("Entries evicted for lack of room")
                .tags("namespace", "all", "tier", "l2")
                .register(registry);
        Gauge.builder("redis.cache.circuit.state", circuitState, AtomicLong::get)
                .description("Circuit breaker around Redis: 0 closed, 1 half-open, 2 open, -1 no Redis configured")
                .register(registry);
    }

    void hit(CacheNamespace namespace, Tier tier) {
        hits.get(namespace).get(tier).increment();
    }

    void miss(CacheNamespace namespace, Tier tier) {
        misses.get(namespace).get(tier).increment();
    }

    void error(String operation) {
        errors.computeIfAbsent(
                        operation,
                        op -> Counter.builder("redis.cache.errors")
                                .description("Redis calls that failed, timed out or were refused by the open breaker")
                                .tag("operation", op)
                                .register(registry))
                .increment();
    }

    void operation(String operation, String tier, long nanos) {
        operations
                .computeIfAbsent(
                        operation + "/" + tier,
                        key -> Timer.builder("redis.cache.operation")
                                .description("Time spent in cache operations")
                                .tags("operation", operation, "tier", tier)
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofNanos(10_000))
                                .maximumExpectedValue(Duration.ofSeconds(2))
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void invalidation(CacheNamespace namespace, String kind) {
        invalidations
                .computeIfAbsent(
                        namespace.label() + "/" + kind,
                        key -> Counter.builder("redis.cache.invalidations")
                                .description("Invalidations by key, by group generation or by pattern")
                                .tags("namespace", namespace.label(), "kind", kind)
                                .register(registry))
                .increment();
    }

    void response(String result, long nanos) {
        responses
                .computeIfAbsent(
                        result,
                        key -> Timer.builder("api.cache.response.time")
                                .description("Server time of cacheable GET responses by cache result")
                                .tag("result", result)
                                .publishPercentileHistogram()
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void sizes(CacheNamespace namespace, Tier tier, Sizes value) {
        sizes.get(namespace).get(tier).set(value);
    }

    void ttlRemaining(CacheNamespace namespace, double seconds) {
        ttlRemaining.get(namespace).set(seconds);
    }

    void evictions(long l1, long l2) {
        l1Evictions.set(l1);
        l2Evictions.set(l2);
    }

    void circuitState(long state) {
        circuitState.set(state);
    }

    double hitRate(CacheNamespace namespace) {
        double answered = hits.get(namespace).get(Tier.L1).count()
                + hits.get(namespace).get(Tier.L2).count();
        double lookups = hits.get(namespace).get(Tier.L1).count()
                + misses.get(namespace).get(Tier.L1).count();
        return lookups == 0 ? 0 : answered / lookups;
    }

    long count(CacheNamespace namespace, Tier tier, boolean hit) {
        return (long) (hit ? hits : misses).get(namespace).get(tier).count();
    }

    long circuitState() {
        return circuitState.get();
    }
}
