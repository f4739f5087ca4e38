package dev.colloquy.cache;

import org.aspectj.lang.annotation.AfterReturning;
import org.aspectj.lang.annotation.Aspect;
import org.springframework.stereotype.Component;

/** Runs {@link InvalidateCache}: after the handler returned, before its answer is written. */
@Aspect
@Component
class InvalidateCacheAspect {

    private final ResponseCaching caching;

    InvalidateCacheAspect(ResponseCaching caching) {
        this.caching = caching;
    }

    @AfterReturning("@annotation(invalidate)")
    void invalidate(InvalidateCache invalidate) {
        var owner = ResponseCaching.owner(invalidate.shared());
        if (owner == null) {
            return;
        }
        for (var group : invalidate.value()) {
            caching.invalidate(owner, group);
        }
    }
}
