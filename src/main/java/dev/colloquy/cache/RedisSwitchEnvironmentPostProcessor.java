package dev.colloquy.cache;

import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * Without any Redis setting ({@code SPRING_DATA_REDIS_URL}, host, Sentinel or Cluster), turns Spring
 * Boot's Redis health contributor off, so the service's health does not depend on a Redis nobody
 * asked for. (Boot's Redis beans stay; they connect only when used, and without a setting nothing
 * uses them: see {@link CacheConfiguration}.)
 */
public final class RedisSwitchEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final List<String> SETTINGS = List.of(
            "spring.data.redis.url",
            "spring.data.redis.host",
            "spring.data.redis.sentinel.master",
            "spring.data.redis.cluster.nodes");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!configured(environment) && !environment.containsProperty(HEALTH)) {
            environment.getPropertySources().addLast(new MapPropertySource("colloquyNoRedis", Map.of(HEALTH, "false")));
        }
    }

    public static boolean configured(Environment environment) {
        return SETTINGS.stream().anyMatch(key -> {
            var value = environment.getProperty(key);
            return value != null && !value.isBlank();
        });
    }

    private static final String HEALTH = "management.health.redis.enabled";
}
