package dev.colloquy.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/** Picks the shared tier: Redis when one is configured, otherwise none (in-process tier only). */
@Configuration(proxyBeanMethods = false)
class CacheConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CacheConfiguration.class);
    /** The name Spring Boot registers its Redis health contributor under. */
    private static final String REDIS_HEALTH = "redis";

    /**
     * Reconnects to a Redis that came back within two seconds at most (Lettuce's default backs off to
     * thirty), and fails commands at once while disconnected instead of queueing them, so the breaker
     * sees the outage and requests go to PostgreSQL.
     */
    @Bean
    ClientResourcesBuilderCustomizer redisReconnectDelay() {
        return builder -> builder.reconnectDelay(
                Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS));
    }

    @Bean
    LettuceClientOptionsBuilderCustomizer redisDisconnectedBehaviour() {
        return builder -> builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    /**
     * Without any Redis setting, takes Spring Boot's Redis health contributor out of the service's
     * health, so its health does not depend on a Redis nobody asked for (Boot's Redis beans stay; they
     * connect only when used, and then nothing uses them). Done at start rather than by a condition:
     * the AOT-processed start (the container image's) has its conditions decided by the build.
     */
    @Bean
    SmartInitializingSingleton redisHealthOnlyWithRedis(
            Environment environment,
            ObjectProvider<HealthContributorRegistry> health,
            ObjectProvider<ReactiveHealthContributorRegistry> reactiveHealth) {
        return () -> {
            if (!RedisSettings.configured(environment)) {
                health.ifAvailable(registry -> registry.unregisterContributor(REDIS_HEALTH));
                reactiveHealth.ifAvailable(registry -> registry.unregisterContributor(REDIS_HEALTH));
            }
        };
    }

    @Bean
    SharedTier sharedTier(
            ObjectProvider<RedisConnectionFactory> connections,
            Environment environment,
            CacheProperties properties,
            CacheMetrics metrics) {
        var factory = connections.getIfAvailable();
        if (factory == null || !RedisSettings.configured(environment)) {
            log.info("SPRING_DATA_REDIS_URL is not set: caching in process only (fine for one replica)");
            metrics.circuitState(-1);
            return new LocalOnlyTier();
        }
        var breaker = CircuitBreaker.of(
                "redis",
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(properties.breaker().failureRateThreshold())
                        .slowCallDurationThreshold(properties.breaker().slowCall())
                        .slowCallRateThreshold(properties.breaker().failureRateThreshold())
                        .minimumNumberOfCalls(properties.breaker().minimumCalls())
                        .slidingWindowSize(Math.max(20, properties.breaker().minimumCalls()))
                        .waitDurationInOpenState(properties.breaker().waitInOpen())
                        .permittedNumberOfCallsInHalfOpenState(3)
                        .automaticTransitionFromOpenToHalfOpenEnabled(true)
                        .recordException(e -> true)
                        .build());
        breaker.getEventPublisher().onStateTransition(event -> {
            var state = event.getStateTransition().getToState();
            metrics.circuitState(
                    switch (state) {
                        case CLOSED -> 0;
                        case HALF_OPEN -> 1;
                        default -> 2;
                    });
            log.warn("Redis circuit breaker: {}", event.getStateTransition());
        });
        var listeners = new RedisMessageListenerContainer();
        listeners.setConnectionFactory(factory);
        listeners.setRecoveryInterval(1_000);
        listeners.afterPropertiesSet();
        listeners.start();
        log.info("Caching in process and in Redis");
        return new RedisTier(factory, listeners, breaker, metrics);
    }
}
