package dev.colloquy.cache;

import dev.colloquy.web.EntityTags;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Holds the body of API GET responses until the handler is done, so a {@link CacheResponse} miss can
 * be stored with its entity tag, and a matching {@code If-None-Match} answered 304.
 */
@Component
class ResponseCacheFilter extends OncePerRequestFilter {

    private final TwoTierCache cache;
    private final CacheMetrics metrics;

    ResponseCacheFilter(TwoTierCache cache, CacheMetrics metrics) {
        this.cache = cache;
        this.metrics = metrics;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        var method = request.getMethod();
        return !("GET".equals(method) || "HEAD".equals(method))
                || !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long started = System.nanoTime();
        request.setAttribute(ResponseCaching.STARTED, started);
        var recorder = new ContentCachingResponseWrapper(response);
        try {
            chain.doFilter(request, recorder);
            if (request.getAttribute(ResponseCaching.STORE) instanceof ResponseCaching.Store store
                    && recorder.getStatus() == HttpStatus.OK.value()) {
                var body = recorder.getContentAsByteArray();
                var etag = ResponseCaching.etag(body);
                var contentType = recorder.getContentType();
                cache.putGenerational(
                        CacheNamespace.HTTP,
                        store.key(),
                        new CachedResponse(contentType == null ? "application/json" : contentType, etag, body),
                        store.ttl());
                recorder.setHeader(HttpHeaders.ETAG, etag);
                if (EntityTags.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
                    recorder.resetBuffer();
                    recorder.setStatus(HttpStatus.NOT_MODIFIED.value());
                }
                metrics.response("miss", System.nanoTime() - started);
            } else if (request.getAttribute(ResponseCaching.BYPASSED) != null) {
                metrics.response("bypass", System.nanoTime() - started);
            }
        } finally {
            recorder.copyBodyToResponse();
        }
    }
}
