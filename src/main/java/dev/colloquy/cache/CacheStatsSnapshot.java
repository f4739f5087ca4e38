package dev.colloquy.cache;

import java.util.List;
import java.util.Map;

/** What {@code GET /api/admin/cache/stats} answers. */
record CacheStatsSnapshot(
        boolean redisConfigured,
        String circuitBreaker,
        Local local,
        List<Namespace> namespaces,
        Map<String, String> redis) {

    record Local(long entries, long evictions, int pendingInvalidations, boolean serving) {}

    record Namespace(
            String name, long l1Hits, long l1Misses, long l2Hits, long l2Misses, double hitRate, long ttlSeconds) {}
}
