package dev.colloquy;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole service on a random port, over a real PostgreSQL (see
 * {@link TestDatabase}) and a real Redis ({@link TestRedis}), driven through real HTTP by {@link Api}.
 * All of them share one context.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "colloquy.admin-emails=root@colloquy.test",
            "colloquy.auth.signup=open",
            "colloquy.cursors.secret=integration-tests-cursor-secret-0123456789",
            "colloquy.database.slow-query-threshold=150ms",
            "colloquy.cache.stats-interval=PT1S",
            "colloquy.llm.default-model=local",
            "colloquy.llm.retry.initial-backoff=10ms",
            "colloquy.llm.retry.max-backoff=200ms",
            "colloquy.llm.first-token-timeout=1s",
            "colloquy.llm.idle-timeout=1s",
            "colloquy.llm.breaker.minimum-calls=1000",
            "colloquy.documents.reembed-check-interval=1s"
        })
@Import(IntegrationTest.Listeners.class)
public abstract class IntegrationTest {

    @TestConfiguration(proxyBeanMethods = false)
    static class Listeners {

        @Bean
        StatementLog statementLog() {
            return new StatementLog();
        }
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        var database = TestDatabase.get();
        registry.add("spring.datasource.url", database::url);
        registry.add("spring.datasource.username", database::user);
        var redis = TestRedis.get();
        registry.add("spring.data.redis.url", redis::url);
        registry.add("colloquy.cache.key-prefix", redis::prefix);
        var upstream = FakeUpstream.get();
        registry.add("colloquy.llm.models[0].name", () -> "test-model");
        registry.add("colloquy.llm.models[0].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[0].input-price-per-million", () -> "1.00");
        registry.add("colloquy.llm.models[0].output-price-per-million", () -> "2.00");
        registry.add("colloquy.llm.models[0].fallbacks[0]", () -> "test-backup");
        registry.add("colloquy.llm.models[1].name", () -> "test-backup");
        registry.add("colloquy.llm.models[1].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[2].name", () -> "tiny-window");
        registry.add("colloquy.llm.models[2].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[2].context-window", () -> "300");
        registry.add("colloquy.llm.models[3].name", () -> "lonely");
        registry.add("colloquy.llm.models[3].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[4].name", () -> "claude-test");
        registry.add("colloquy.llm.models[4].provider", () -> "anthropic");
        registry.add("colloquy.llm.models[4].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[4].api-key", () -> "test-anthropic-key");
        registry.add("colloquy.llm.models[4].input-price-per-million", () -> "3.00");
        registry.add("colloquy.llm.models[4].output-price-per-million", () -> "15.00");
        registry.add("colloquy.llm.models[4].cached-input-price-per-million", () -> "0.30");
        registry.add("colloquy.llm.models[4].cache-write-price-per-million", () -> "3.75");
        registry.add("colloquy.llm.models[5].name", () -> "metered");
        registry.add("colloquy.llm.models[5].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[5].requests-per-minute", () -> "4");
        registry.add("colloquy.llm.models[6].name", () -> "claude-lenient");
        registry.add("colloquy.llm.models[6].provider", () -> "anthropic");
        registry.add("colloquy.llm.models[6].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[6].drop-params", () -> "true");
        registry.add("colloquy.llm.models[7].name", () -> "claude-structured");
        registry.add("colloquy.llm.models[7].provider", () -> "anthropic");
        registry.add("colloquy.llm.models[7].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[7].structured-output", () -> "true");
        registry.add("colloquy.llm.models[8].name", () -> "seeing");
        registry.add("colloquy.llm.models[8].base-url", upstream::baseUrl);
        registry.add("colloquy.llm.models[8].images", () -> "true");
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected StatementLog statementLog;

    protected Api api() {
        return new Api("http://127.0.0.1:" + port);
    }
}
