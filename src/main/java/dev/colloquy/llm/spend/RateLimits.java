package dev.colloquy.llm.spend;

import dev.colloquy.cache.CacheProperties;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.LlmProperties;
import dev.colloquy.llm.RateLimited;
import dev.colloquy.user.ApiKeyLimits;
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
 * Requests and tokens per minute, with the generic cell rate algorithm: one key per subject and
 * limit holding the theoretical arrival time, updated by one atomic Lua script, so a limit is global
 * across replicas (not multiplied by their number) and a full minute's allowance may come in a
 * burst. Without Redis, or while it is unreachable, each replica applies the same rule alone.
 *
 * <p>Three kinds of subject: each user (the configured limits), each API key that has limits of
 * its own, and each model whose upstream has limits: the model as a whole, and each user's share
 * of it ({@code model-share}), so one user cannot take all of an upstream's allowance.
 */
@Component
public class RateLimits {

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
        // every series exists from the start at 0, so rules and panels on llm_rate_limited_total have
        // one on a healthy replica too
        for (var scope : new String[] {"user", "api_key"}) {
            registry.counter("llm.rate.limited", "limit", "rpm", "scope", scope);
            registry.counter("llm.rate.limited", "limit", "tpm", "scope", scope);
        }
        registry.counter("llm.rate.limited", "limit", "model", "scope", "model");
    }

    /**
     * Admits a call of about this many tokens by this user, through this API key if it has limits,
     * or throws {@link RateLimited}.
     */
    public void admit(UUID userId, @Nullable ApiKeyLimits apiKey, int tokens) {
        refuseIfLimited(userId.toString(), limits.requestsPerMinute(), limits.tokensPerMinute(), tokens, "user");
        if (apiKey != null && apiKey.any()) {
            refuseIfLimited(
                    "key:" + apiKey.keyId(),
                    apiKey.requestsPerMinute() == null ? 0 : apiKey.requestsPerMinute(),
                    apiKey.tokensPerMinute() == null ? 0 : apiKey.tokensPerMinute(),
                    tokens,
                    "api_key");
        }
    }

    /**
     * Admits a call of this model within the user's share of its upstream's limits, then within the
     * limits themselves; returns how long to wait when it does not fit (zero when admitted).
     */
    public Duration admitModel(LlmModel model, UUID userId, int tokens) {
        if (model.requestsPerMinute() == 0 && model.tokensPerMinute() == 0) {
            return Duration.ZERO;
        }
        var share = limits.modelShare();
        long wait = waitFor(
                "model:" + model.name() + ":" + userId,
                share(model.requestsPerMinute(), share),
                share(model.tokensPerMinute(), share),
                tokens);
        if (wait == 0) {
            wait = waitFor("model:" + model.name(), model.requestsPerMinute(), model.tokensPerMinute(), tokens);
        }
        if (wait > 0) {
            registry.counter("llm.rate.limited", "limit", "model", "scope", "model")
                    .increment();
        }
        return Duration.ofMillis(wait);
    }

    private static int share(int perMinute, double share) {
        return perMinute == 0 ? 0 : Math.max(1, (int) Math.floor(perMinute * share));
    }

    private void refuseIfLimited(String subject, int requestsPerMinute, int tokensPerMinute, int tokens, String scope) {
        if (requestsPerMinute > 0) {
            long wait = check(subject, "rpm", requestsPerMinute, 1);
            if (wait > 0) {
                registry.counter("llm.rate.limited", "limit", "rpm", "scope", scope)
                        .increment();
                throw new RateLimited("requests-per-minute", Duration.ofMillis(wait));
            }
        }
        if (tokensPerMinute > 0) {
            long wait = check(subject, "tpm", tokensPerMinute, Math.min(tokens, tokensPerMinute));
            if (wait > 0) {
                registry.counter("llm.rate.limited", "limit", "tpm", "scope", scope)
                        .increment();
                throw new RateLimited("tokens-per-minute", Duration.ofMillis(wait));
            }
        }
    }

    /** Both limits of one subject; 0 when admitted to both, else the wait of the one that refused. */
    private long waitFor(String subject, int requestsPerMinute, int tokensPerMinute, int tokens) {
        long wait = requestsPerMinute > 0 ? check(subject, "rpm", requestsPerMinute, 1) : 0;
        if (wait == 0 && tokensPerMinute > 0) {
            wait = check(subject, "tpm", tokensPerMinute, Math.min(tokens, tokensPerMinute));
        }
        return wait;
    }

    /** Milliseconds to wait, or 0 when admitted (and the subject's arrival time moved). */
    private long check(String subject, String limit, int perMinute, int cost) {
        double increment = (double) MINUTE_MS / perMinute * cost;
        // admitted while the work already admitted plus this call fits in one minute of allowance
        double tolerance = MINUTE_MS;
        var key = prefix + "{" + subject + "}:" + limit;
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
        return wait;
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
