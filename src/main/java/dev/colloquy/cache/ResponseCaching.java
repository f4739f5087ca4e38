package dev.colloquy.cache;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Keys, generations and entity tags of cached responses; shared by the interceptor, filter and
 * aspect. Handlers that write their own response (streams) call {@link #invalidateForCaller} where
 * {@link InvalidateCache} would run too late.
 */
@Component
public class ResponseCaching {

    static final String STORE = ResponseCaching.class.getName() + ".store";
    static final String STARTED = ResponseCaching.class.getName() + ".started";
    static final String BYPASSED = ResponseCaching.class.getName() + ".bypassed";
    static final String PUBLIC = "public";

    /** A miss to store when the handler answers 200. */
    record Store(String key, Duration ttl) {}

    private final TwoTierCache cache;
    private final Map<String, Duration> ttls = new ConcurrentHashMap<>();

    ResponseCaching(TwoTierCache cache) {
        this.cache = cache;
    }

    /** The caller the response belongs to, or null when it cannot be cached for them. */
    static @Nullable String owner(boolean shared) {
        if (shared) {
            return PUBLIC;
        }
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null
                || authentication instanceof AnonymousAuthenticationToken
                || !authentication.isAuthenticated()) {
            return null;
        }
        return authentication.getName();
    }

    /** The key for this request in the group's current generation; null when nothing may be cached now. */
    @Nullable
    String key(HttpServletRequest request, String owner, String group) {
        long generation = cache.generation(cache.generationKey(owner + ":" + group));
        if (generation < 0) {
            return null;
        }
        return cache.responseKeyPrefix() + ":{" + owner + ":" + group + "}:" + generation + ":" + requestHash(request);
    }

    /** Drops the current caller's cached responses of these groups on every replica. */
    public void invalidateForCaller(String... groups) {
        var owner = owner(false);
        if (owner != null) {
            invalidateFor(owner, groups);
        }
    }

    /** Drops this user's cached responses of these groups on every replica (outside an HTTP request). */
    public void invalidateFor(String userId, String... groups) {
        for (var group : groups) {
            invalidate(userId, group);
        }
    }

    void invalidate(String owner, String group) {
        var name = group.endsWith(":*") ? group.substring(0, group.length() - 2) : group;
        cache.bumpGeneration(CacheNamespace.HTTP, cache.generationKey(owner + ":" + name));
    }

    Duration ttl(CacheResponse annotation) {
        return ttls.computeIfAbsent(annotation.ttl(), DurationStyle::detectAndParse);
    }

    static boolean bypassRequested(HttpServletRequest request) {
        var control = request.getHeader(HttpHeaders.CACHE_CONTROL);
        if (control == null) {
            return false;
        }
        var lower = control.toLowerCase(Locale.ROOT);
        return lower.contains("no-cache") || lower.contains("no-store");
    }

    static String etag(byte[] body) {
        return "\""
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(sha256(body))
                        .substring(0, 22) + "\"";
    }

    private static String requestHash(HttpServletRequest request) {
        var query = request.getParameterMap().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getKey() + "=" + String.join(",", entry.getValue()))
                .reduce((a, b) -> a + "&" + b)
                .orElse("");
        var accept = Collections.list(request.getHeaders(HttpHeaders.ACCEPT));
        var text =
                request.getMethod().replace("HEAD", "GET") + " " + request.getRequestURI() + "?" + query + " " + accept;
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
