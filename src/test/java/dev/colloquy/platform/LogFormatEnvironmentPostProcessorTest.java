package dev.colloquy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class LogFormatEnvironmentPostProcessorTest {

    private final LogFormatEnvironmentPostProcessor processor = new LogFormatEnvironmentPostProcessor();

    @Test
    void jsonSelectsEcsConsoleLogs() {
        var environment = environment(Map.of("LOG_FORMAT", "json"));

        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(LogFormatEnvironmentPostProcessor.PROPERTY))
                .isEqualTo("ecs");
    }

    @Test
    void textOrNothingKeepsReadableLogs() {
        var text = environment(Map.of("LOG_FORMAT", "text"));
        var nothing = environment(Map.of());

        processor.postProcessEnvironment(text, new SpringApplication());
        processor.postProcessEnvironment(nothing, new SpringApplication());

        assertThat(text.getProperty(LogFormatEnvironmentPostProcessor.PROPERTY)).isNull();
        assertThat(nothing.getProperty(LogFormatEnvironmentPostProcessor.PROPERTY))
                .isNull();
    }

    @Test
    void anExplicitFormatWins() {
        var environment =
                environment(Map.of("LOG_FORMAT", "json", LogFormatEnvironmentPostProcessor.PROPERTY, "logstash"));

        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(LogFormatEnvironmentPostProcessor.PROPERTY))
                .isEqualTo("logstash");
    }

    private static StandardEnvironment environment(Map<String, Object> values) {
        var environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", values));
        return environment;
    }
}
