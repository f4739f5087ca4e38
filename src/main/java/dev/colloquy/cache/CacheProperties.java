package dev.colloquy.cache;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The two-tier cache.
 *
 * @param keyPrefix first part of every Redis key and the invalidation channel's name
 * @param localMaximumEntries bound of the in-process tier
 * @param localTtl longest time an entry lives in the in-process tier
 * @param tombstoneTtl how long an invalidated key refuses values loaded before the invalidation
 * @param ttl time to live per namespace ({@code conversation}, {@code user}, {@code document_metadata},
 *     {@code session}, {@code http}); unset ones keep their defaults
 * @param refreshAhead fraction of a TTL before expiry from which a hit reloads the entry in the background
 * @param breaker the circuit breaker around Redis
 */
@Validated
@ConfigurationProperties("colloquy.cache")
public record CacheProperties(
        @DefaultValue("colloquy") String keyPrefix,
        @DefaultValue("10000") long localMaximumEntries,
        @DefaultValue("10s") Duration localTtl,
        @DefaultValue("10s") Duration tombstoneTtl,
        @DefaultValue Map<String, Duration> ttl,
        @DefaultValue("0.2") double refreshAhead,
        @DefaultValue Breaker breaker) {

    /**
     * @param failureRateThreshold percentage of failed or slow calls that opens the breaker
     * @param slowCall a Redis call slower than this counts as slow. Above the command timeout
     *     ({@code spring.data.redis.timeout}, 250 ms) by default, so the breaker judges failures and
     *     timeouts: the time a call is measured by here includes waiting for a CPU, and at 200 ms a
     *     replica with busy cores took its own queueing for a slow Redis, opened the breaker every few
     *     seconds and emptied the cache each time it closed (BENCHMARKS.md, "Reliability load")
     * @param waitInOpen how long the breaker stays open before probing Redis again
     * @param minimumCalls calls in the window before the rate is judged
     */
    public record Breaker(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("2s") Duration slowCall,
            @DefaultValue("5s") Duration waitInOpen,
            @DefaultValue("10") int minimumCalls) {}

    public CacheProperties {
        if (!keyPrefix.matches("[A-Za-z0-9_.-]{1,40}")) {
            throw new IllegalArgumentException(
                    "colloquy.cache.key-prefix must be 1-40 letters, digits, '_', '.' or '-'");
        }
        if (refreshAhead < 0 || refreshAhead >= 1) {
            throw new IllegalArgumentException("colloquy.cache.refresh-ahead must be in [0, 1)");
        }
        for (var name : ttl.keySet()) {
            boolean known = false;
            for (var namespace : CacheNamespace.values()) {
                known |= namespace.label().equals(name);
            }
            if (!known) {
                throw new IllegalArgumentException("colloquy.cache.ttl." + name + ": no such cache namespace");
            }
        }
    }

    Duration ttlOf(CacheNamespace namespace) {
        return ttl.getOrDefault(namespace.label(), namespace.defaultTtl());
    }
}
