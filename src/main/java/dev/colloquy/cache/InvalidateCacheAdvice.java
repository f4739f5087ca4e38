package dev.colloquy.cache;

import java.lang.reflect.Method;
import org.springframework.aop.Advisor;
import org.springframework.aop.AfterReturningAdvice;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.bind.annotation.RestController;

/**
 * Runs {@link InvalidateCache} on the handler methods of {@code @RestController}s: after the handler
 * returned, before its answer is written.
 *
 * <p>A plain Spring AOP advisor over an annotation pointcut, applied by the infrastructure
 * auto-proxy creator like the transaction advisor, rather than an AspectJ aspect: matching an AspectJ
 * expression against every method of every bean took about 0.33 s of the main thread's 1.9 s of CPU
 * in a replica's start (issue 20), and the AspectJ weaver's classes are no longer loaded at all.
 */
@Configuration(proxyBeanMethods = false)
class InvalidateCacheAdvice {

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static Advisor invalidateCacheAdvisor(ObjectProvider<ResponseCaching> caching) {
        // ResponseCaching is looked up at the first call, and once: an advisor is made before the other
        // beans, and one holding them would keep them from being post-processed
        var responses = SingletonSupplier.of(caching::getObject);
        AfterReturningAdvice advice = (returned, method, arguments, target) -> invalidate(responses.obtain(), method);
        // only controllers' methods are looked at: every other bean's class is passed over at once
        var pointcut = new AnnotationMatchingPointcut(RestController.class, InvalidateCache.class);
        return new DefaultPointcutAdvisor(pointcut, advice);
    }

    private static void invalidate(ResponseCaching caching, Method method) {
        // the controller's own method, on which the pointcut found the annotation
        var invalidate = method.getAnnotation(InvalidateCache.class);
        if (invalidate == null) {
            return;
        }
        var owner = ResponseCaching.owner(invalidate.shared());
        if (owner == null) {
            return;
        }
        for (var group : invalidate.value()) {
            caching.invalidate(owner, group);
        }
    }
}
