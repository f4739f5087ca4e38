package dev.colloquy.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.colloquy.cache.CacheProperties;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.user.SecretTokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Slows password guessing: after {@code colloquy.auth.login-max-failures} wrong passwords for one
 * email within {@code login-window}, or {@code login-max-failures-per-address} from one client
 * address, further logins for it answer 429 with {@code Retry-After} until the window has passed, even
 * with the right password. A successful login clears the email's count. The counts live in Redis, so
 * they hold across replicas; without Redis (or while it is unreachable) each replica counts alone.
 */
@Component
class LoginThrottle {

    /** INCR with the window set on the first failure; returns the count. */
    private static final RedisScript<Long> FAIL = RedisScript.of("""
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            return n
            """, Long.class);

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    private final AuthProperties properties;
    private final @Nullable StringRedisTemplate redis;
    private final String prefix;
    private final Cache<String, AtomicInteger> local;
    private final MeterRegistry registry;

    LoginThrottle(
            AuthProperties properties,
            TwoTierCache cache,
            ObjectProvider<StringRedisTemplate> redis,
            CacheProperties cacheProperties,
            MeterRegistry registry) {
        this.properties = properties;
        this.redis = cache.shared() ? redis.getIfAvailable() : null;
        this.prefix = cacheProperties.keyPrefix() + ":login:";
        this.local = Caffeine.newBuilder()
                .expireAfterWrite(properties.loginWindow())
                .maximumSize(100_000)
                .build();
        this.registry = registry;
    }

    /** @throws TooManyLoginAttempts when the email or the address has failed too often lately */
    void check(String email, String address) {
        for (var subject : List.of(emailKey(email), addressKey(address))) {
            int limit = subject.startsWith(prefix + "email:")
                    ? properties.loginMaxFailures()
                    : properties.loginMaxFailuresPerAddress();
            var wait = waitFor(subject, limit);
            if (wait != null) {
                registry.counter("auth.login.throttled").increment();
                throw new TooManyLoginAttempts(wait);
            }
        }
    }

    void failed(String email, String address) {
        for (var subject : List.of(emailKey(email), addressKey(address))) {
            if (redis != null) {
                try {
                    redis.execute(
                            FAIL,
                            List.of(subject),
                            Long.toString(properties.loginWindow().toMillis()));
                    continue;
                } catch (RuntimeException e) {
                    log.warn("Login throttle in Redis failed, counting in this replica: {}", e.getMessage());
                }
            }
            local.get(subject, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    void succeeded(String email) {
        var subject = emailKey(email);
        local.invalidate(subject);
        if (redis != null) {
            try {
                redis.delete(subject);
            } catch (RuntimeException e) {
                log.warn("Login throttle in Redis failed: {}", e.getMessage());
            }
        }
    }

    /** How long the subject must wait, or null when it may try. */
    private @Nullable Duration waitFor(String subject, int limit) {
        if (redis != null) {
            try {
                var count = redis.opsForValue().get(subject);
                if (count == null || Long.parseLong(count) < limit) {
                    return null;
                }
                Long ttl = redis.getExpire(subject, java.util.concurrent.TimeUnit.MILLISECONDS);
                return Duration.ofMillis(
                        ttl == null || ttl < 0 ? properties.loginWindow().toMillis() : ttl);
            } catch (RuntimeException e) {
                log.warn("Login throttle in Redis failed, counting in this replica: {}", e.getMessage());
            }
        }
        var count = local.getIfPresent(subject);
        return count != null && count.get() >= limit ? properties.loginWindow() : null;
    }

    /** Emails are counted by hash: the throttle's keys hold no address a Redis dump would show. */
    private String emailKey(String email) {
        return prefix + "email:"
                + HexFormat.of().formatHex(SecretTokens.hash(email.strip().toLowerCase(Locale.ROOT)));
    }

    private String addressKey(String address) {
        return prefix + "address:" + address;
    }
}
