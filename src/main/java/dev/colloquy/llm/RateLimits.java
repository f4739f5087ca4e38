package dev.colloquy.llm;

import dev.colloquy.cache.CacheProperties;
import dev.colloquy.cache.TwoTierCache;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Requests and tokens per minute per user, with the generic cell rate algorithm: one key per user
 * and limit holding the theoretical arrival time, updated by one atomic Lua script, so the limit is
 * global across replicas (not multiplied by their number) and a full minute's allowance may come in
 * a burst. Without Redis, or while it is unreachable, each replica applies the same rule alone.
 */
@Component
class RateLimits {

    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

    /** Returns the wait in ms: 0 when admitted (and the arrival time moved), else how long to wait. */
    private static final RedisScript<Long> ADMIT = RedisScript.of("""
            local now = tonumber(ARGV[1])
            local increment = tonumber(ARGV[2])
            local tolerance = tonumber(ARGV[3])
            local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
            if tat < now then tat = now end
            local next = tat + increment
            local wait = next - tolerance - now
            if wait > 0 then return math.ceil(wait) end
            redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.ceil(next - now) + 1000)
            return 0
            """, Long.class);

    private static final long MINUTE_MS = 60_000;

    private final LlmProperties.RateLimit limits;
    private final @Nullable StringRedisTemplate redis;
    private final String prefix;
    private final MeterRegistry registry;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, double[]> local = new ConcurrentHashMap<>();

    RateLimits(
            LlmProperties properties,
            TwoTierCache cache,
            ObjectProvider<StringRedisTemplate> redis,
            CacheProperties cacheProperties,
            MeterRegistry registry) {
        this.limits = properties.rateLimit();
        this.redis = cache.shared() ? redis.getIfAvailable() : null;
        this.prefix = cacheProperties.keyPrefix() + ":rate:";
        this.registry = registry;
    }

    /** Admits a call of about this many tokens, or throws {@link RateLimited}. */
    void admit(UUID userId, int tokens) {
        if (limits.requestsPerMinute() > 0) {
            check(userId, "rpm", limits.requestsPerMinute(), 1);
        }
        if (limits.tokensPerMinute() > 0) {
            check(userId, "tpm", limits.tokensPerMinute(), Math.min(tokens, limits.tokensPerMinute()));
        }
    }

    private void check(UUID userId, String limit, int perMinute, int cost) {
        double increment = (double) MINUTE_MS / perMinute * cost;
        // admitted while the work already admitted plus this call fits in one minute of allowance
        double tolerance = MINUTE_MS;
        var key = prefix + "{" + userId + "}:" + limit;
        long now = clock.millis();
        long wait = -1;
        if (redis != null) {
            try {
                Long answer = redis.execute(
                        ADMIT,
                        List.of(key),
                        Long.toString(now),
                        Double.toString(increment),
                        Double.toString(tolerance));
                wait = answer == null ? -1 : answer;
            } catch (RuntimeException e) {
                log.warn("Rate limit in Redis failed, enforcing in this replica: {}", e.getMessage());
            }
        }
        if (wait < 0) {
            wait = localAdmit(key, now, increment, tolerance);
        }
        if (wait > 0) {
            registry.counter("llm.rate.limited", "limit", limit).increment();
            throw new RateLimited(
                    limit.equals("rpm") ? "requests-per-minute" : "tokens-per-minute", Duration.ofMillis(wait));
        }
    }

    private long localAdmit(String key, long now, double increment, double tolerance) {
        var state = local.computeIfAbsent(key, k -> new double[1]);
        synchronized (state) {
            double tat = Math.max(state[0], now);
            double next = tat + increment;
            double wait = next - tolerance - now;
            if (wait > 0) {
                return (long) Math.ceil(wait);
            }
            state[0] = next;
            return 0;
        }
    }
}
