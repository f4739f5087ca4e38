package dev.colloquy.cache;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * After the handler returns normally (its transaction committed), drops the caller's cached
 * responses of these groups on every replica: {@code @InvalidateCache({"conversations:*"})}. A
 * trailing {@code :*} is accepted and means the whole group. Applies to the handler methods of a
 * {@code @RestController} (InvalidateCacheAdvice looks at no other class).
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface InvalidateCache {

    String[] value();

    /** Whether the groups are shared ones ({@link CacheResponse#shared()}) rather than the caller's. */
    boolean shared() default false;
}
