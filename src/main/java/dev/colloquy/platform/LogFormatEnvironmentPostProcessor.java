package dev.colloquy.platform;

import java.util.Locale;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code LOG_FORMAT=json} switches console logs to ECS JSON (what the container images set), any
 * other value or none keeps readable text. An explicit {@code logging.structured.format.console} wins.
 */
class LogFormatEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String PROPERTY = "logging.structured.format.console";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        var format = environment.getProperty("LOG_FORMAT", "text").toLowerCase(Locale.ROOT);
        if ("json".equals(format) && !environment.containsProperty(PROPERTY)) {
            environment
                    .getPropertySources()
                    .addLast(new MapPropertySource("colloquyLogFormat", Map.of(PROPERTY, "ecs")));
        }
    }
}
