package dev.colloquy.platform;

import org.springframework.aot.AotDetector;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The AOT-processed start ({@code -Dspring.aot.enabled=true}, what the container image runs) uses bean
 * definitions the build computed for the production set-up: an external PostgreSQL (the
 * {@code process-aot} execution in pom.xml). Started without {@code SPRING_DATASOURCE_URL}, it would not
 * fall back to the embedded PostgreSQL but fail later with the driver's message about a placeholder
 * address; this stops it at once and says what to set instead. (Redis stays optional: what depends on
 * it is decided at start.)
 */
class AotStartEnvironmentPostProcessor implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (AotDetector.useGeneratedArtifacts() && !EmbeddedPostgresConfiguration.dataSourceUrlSet(environment)) {
            throw new IllegalStateException("The AOT-processed start (spring.aot.enabled=true) runs the set-up the"
                    + " build prepared, an external PostgreSQL, and SPRING_DATASOURCE_URL is not set. Set it, or"
                    + " start without -Dspring.aot.enabled=true for the embedded default (embedded PostgreSQL).");
        }
    }
}
