package dev.colloquy.cache;

import java.util.List;
import org.springframework.core.env.Environment;

/** Whether a Redis is configured: {@code SPRING_DATA_REDIS_URL}, a host, a Sentinel or a Cluster. */
final class RedisSettings {

    private static final List<String> SETTINGS = List.of(
            "spring.data.redis.url",
            "spring.data.redis.host",
            "spring.data.redis.sentinel.master",
            "spring.data.redis.cluster.nodes");

    private RedisSettings() {}

    static boolean configured(Environment environment) {
        return SETTINGS.stream().anyMatch(key -> {
            var value = environment.getProperty(key);
            return value != null && !value.isBlank();
        });
    }
}
