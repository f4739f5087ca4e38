package dev.colloquy.cache;

import dev.colloquy.web.ApiProblem;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Cache statistics and manual invalidation, for admins (the security rules guard {@code /api/admin}). */
@RestController
@RequestMapping("/api/admin/cache")
class CacheAdminController {

    record Invalidate(@NotBlank @Size(max = 200) String pattern) {}

    record Invalidated(String pattern, long removed) {}

    static final class InvalidPattern extends ApiProblem {
        InvalidPattern(String detail) {
            super(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-pattern", "Invalid pattern", detail);
        }
    }

    private final TwoTierCache cache;
    private final SharedTier shared;
    private final CacheMetrics metrics;
    private final CacheProperties properties;

    CacheAdminController(TwoTierCache cache, SharedTier shared, CacheMetrics metrics, CacheProperties properties) {
        this.cache = cache;
        this.shared = shared;
        this.metrics = metrics;
        this.properties = properties;
    }

    @GetMapping("/stats")
    CacheStatsSnapshot stats() {
        var namespaces = new ArrayList<CacheStatsSnapshot.Namespace>();
        for (var namespace : CacheNamespace.values()) {
            namespaces.add(new CacheStatsSnapshot.Namespace(
                    namespace.label(),
                    metrics.count(namespace, CacheMetrics.Tier.L1, true),
                    metrics.count(namespace, CacheMetrics.Tier.L1, false),
                    metrics.count(namespace, CacheMetrics.Tier.L2, true),
                    metrics.count(namespace, CacheMetrics.Tier.L2, false),
                    metrics.hitRate(namespace),
                    properties.ttlOf(namespace).toSeconds()));
        }
        Map<String, String> redis;
        try {
            redis = shared.info();
        } catch (SharedTierUnavailable e) {
            redis = Map.of("error", "unavailable");
        }
        var state = switch ((int) metrics.circuitState()) {
            case -1 -> "none";
            case 0 -> "closed";
            case 1 -> "half_open";
            default -> "open";
        };
        return new CacheStatsSnapshot(shared.configured(), state, cache.localStats(), namespaces, redis);
    }

    @PostMapping("/invalidate")
    Invalidated invalidate(@Valid @RequestBody Invalidate request) {
        try {
            return new Invalidated(request.pattern(), cache.invalidatePattern(request.pattern()));
        } catch (IllegalArgumentException e) {
            throw new InvalidPattern(e.getMessage());
        } catch (SharedTierUnavailable e) {
            throw new RedisUnavailable();
        }
    }

    static final class RedisUnavailable extends ApiProblem {
        RedisUnavailable() {
            super(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "cache-unavailable",
                    "Cache unavailable",
                    "Redis is not answering; retry when it is back",
                    java.time.Duration.ofSeconds(5));
        }
    }
}
