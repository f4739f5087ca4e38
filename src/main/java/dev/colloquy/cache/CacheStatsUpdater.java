package dev.colloquy.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Refreshes the sampled cache gauges (the seed's {@code cache_stats_updater}): entries and bytes per
 * namespace and tier, TTL remaining, evictions, from the in-process tier and Redis {@code INFO},
 * {@code SCAN} and {@code MEMORY USAGE}.
 */
@Component
class CacheStatsUpdater {

    private static final Logger log = LoggerFactory.getLogger(CacheStatsUpdater.class);
    private static final int MAX_SCANNED_KEYS = 100_000;

    private final TwoTierCache cache;
    private final SharedTier shared;
    private final CacheMetrics metrics;

    CacheStatsUpdater(TwoTierCache cache, SharedTier shared, CacheMetrics metrics) {
        this.cache = cache;
        this.shared = shared;
        this.metrics = metrics;
    }

    @Scheduled(fixedDelayString = "${colloquy.cache.stats-interval:PT15S}", initialDelayString = "PT2S")
    void update() {
        cache.localSizes().forEach((namespace, sizes) -> metrics.sizes(namespace, CacheMetrics.Tier.L1, sizes));
        long l2Evictions = 0;
        if (shared.configured() && cache.available()) {
            try {
                for (var namespace : CacheNamespace.values()) {
                    var sample = shared.sample(cache.prefix() + ":" + namespace.label() + ":*", MAX_SCANNED_KEYS);
                    metrics.sizes(
                            namespace, CacheMetrics.Tier.L2, new CacheMetrics.Sizes(sample.keys(), sample.bytes()));
                    metrics.ttlRemaining(namespace, sample.averageTtlSeconds());
                }
                l2Evictions = Long.parseLong(shared.info().getOrDefault("evicted_keys", "0"));
            } catch (SharedTierUnavailable | NumberFormatException e) {
                log.debug("Cache stats from Redis skipped: {}", e.getMessage(), e);
            }
        }
        metrics.evictions(cache.localStats().evictions(), l2Evictions);
    }
}
