package dev.colloquy.cache;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches a GET handler's 200 responses in the two-tier cache, keyed on method, path, sorted query,
 * {@code Accept} and (unless {@link #shared()}) the caller. Answers carry {@code X-Cache:
 * HIT|MISS|BYPASS} and an {@code ETag}; a matching {@code If-None-Match} gets 304. A request with
 * {@code Cache-Control: no-cache} bypasses the cache. Entries of a group die together when a
 * handler marked {@link InvalidateCache} with that group succeeds.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface CacheResponse {

    /** The group the responses belong to, such as {@code conversations}. */
    String group();

    /** Time to live, such as {@code 60s} or {@code 5m}. */
    String ttl() default "60s";

    /** Whether one answer serves every caller; otherwise each caller has their own. */
    boolean shared() default false;
}
