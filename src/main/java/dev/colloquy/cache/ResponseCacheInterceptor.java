package dev.colloquy.cache;

import dev.colloquy.web.EntityTags;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/** Answers {@link CacheResponse} handlers from the cache when it can, and marks misses for storing. */
final class ResponseCacheInterceptor implements HandlerInterceptor {

    static final String X_CACHE = "X-Cache";

    private final ResponseCaching caching;
    private final TwoTierCache cache;
    private final CacheMetrics metrics;

    ResponseCacheInterceptor(ResponseCaching caching, TwoTierCache cache, CacheMetrics metrics) {
        this.caching = caching;
        this.cache = cache;
        this.metrics = metrics;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        if (!(handler instanceof HandlerMethod method)
                || !("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))) {
            return true;
        }
        var annotation = method.getMethodAnnotation(CacheResponse.class);
        if (annotation == null) {
            return true;
        }
        var owner = ResponseCaching.owner(annotation.shared());
        if (owner == null) {
            return true;
        }
        response.setHeader(HttpHeaders.CACHE_CONTROL, annotation.shared() ? "public, no-cache" : "private, no-cache");
        var key = ResponseCaching.bypassRequested(request) || !cache.available()
                ? null
                : caching.key(request, owner, annotation.group());
        if (key == null) {
            response.setHeader(X_CACHE, "BYPASS");
            request.setAttribute(ResponseCaching.BYPASSED, Boolean.TRUE);
            return true;
        }
        var hit = cache.get(CacheNamespace.HTTP, key, CachedResponse.class);
        if (hit == null) {
            response.setHeader(X_CACHE, "MISS");
            request.setAttribute(ResponseCaching.STORE, new ResponseCaching.Store(key, caching.ttl(annotation)));
            return true;
        }
        response.setHeader(X_CACHE, "HIT");
        response.setHeader(HttpHeaders.ETAG, hit.etag());
        if (EntityTags.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), hit.etag())) {
            response.setStatus(HttpStatus.NOT_MODIFIED.value());
        } else {
            response.setStatus(HttpStatus.OK.value());
            response.setContentType(hit.contentType());
            response.setContentLength(hit.body().length);
            if (!"HEAD".equals(request.getMethod())) {
                response.getOutputStream().write(hit.body());
            }
        }
        var started = request.getAttribute(ResponseCaching.STARTED);
        if (started instanceof Long nanos) {
            metrics.response("hit", System.nanoTime() - nanos);
        }
        return false;
    }
}
