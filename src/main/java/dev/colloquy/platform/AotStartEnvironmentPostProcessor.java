package dev.colloquy.platform;

import dev.colloquy.cache.RedisSwitchEnvironmentPostProcessor;
import java.util.ArrayList;
import org.springframework.aot.AotDetector;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The AOT-processed start ({@code -Dspring.aot.enabled=true}, what the container image runs) uses bean
 * definitions the build computed for the production set-up: an external PostgreSQL and Redis (the
 * {@code process-aot} execution in pom.xml). Started without either, it would not fall back to the
 * embedded PostgreSQL or to the in-process cache alone but fail somewhere later with a driver's or a
 * health check's message; this stops it at once and says what to set instead.
 */
class AotStartEnvironmentPostProcessor implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!AotDetector.useGeneratedArtifacts()) {
            return;
        }
        var missing = new ArrayList<String>();
        if (!EmbeddedPostgresConfiguration.dataSourceUrlSet(environment)) {
            missing.add("SPRING_DATASOURCE_URL");
        }
        if (!RedisSwitchEnvironmentPostProcessor.configured(environment)) {
            missing.add("SPRING_DATA_REDIS_URL (or a Sentinel or Cluster setting)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The AOT-processed start (spring.aot.enabled=true) runs the set-up the"
                    + " build prepared, an external PostgreSQL and Redis, and " + String.join(" and ", missing)
                    + (missing.size() == 1 ? " is" : " are")
                    + " not set. Set them, or start without -Dspring.aot.enabled=true for the embedded"
                    + " default (embedded PostgreSQL, in-process cache).");
        }
    }
}
