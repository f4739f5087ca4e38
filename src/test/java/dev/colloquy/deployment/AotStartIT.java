package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.ReplicaProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The container image's start ({@code -Dspring.aot.enabled=true}: bean definitions the build computed
 * for an external PostgreSQL; Redis optional). FailoverIT, CrashIT and DatabaseRestartIT run their replicas
 * this way; this checks the start that does not match what the build prepared.
 */
class AotStartIT {

    @Test
    void startsFromTheBuildsBeanDefinitionsAndServes() throws Exception {
        var name = "aot-start-" + System.nanoTime();
        try (var replica =
                ReplicaProcess.start(name, ReplicaProcess.freePort(), Map.of("LOGGING_LEVEL_DEV_COLLOQUY", "INFO"))) {
            replica.awaitReady(System.nanoTime() + Duration.ofSeconds(90).toNanos());
            var api = replica.api();
            var account = api.register();
            // the list read first is cached: the new conversation shows only if the build's bean
            // definitions still wrap the controller in the advisor that drops it (@InvalidateCache)
            assertThat(api.get("/api/conversations", account.token()).body()).doesNotContain("\"aot\"");
            var conversation = api.post("/api/conversations", account.token(), "{\"title\":\"aot\"}");
            assertThat(conversation.status()).isEqualTo(201);
            assertThat(api.get("/api/conversations", account.token()).body()).contains("\"aot\"");
            assertThat(api.get("/api/auth/providers", null).json().get("items").size())
                    .isZero();
            assertThat(Files.readString(replica.log())).contains("Starting AOT-processed ColloquyApplication");
        }
    }

    @Test
    void withoutRedisItServesFromTheInProcessCacheAndIsHealthy() throws Exception {
        // no Redis setting, and Redis's default port pointed at a closed one: Boot's Redis health
        // contributor, which the build registered, would report DOWN if it were still asked
        var name = "aot-without-redis-" + System.nanoTime();
        try (var replica = ReplicaProcess.start(
                name,
                ReplicaProcess.freePort(),
                Map.of(
                        "SPRING_DATA_REDIS_URL",
                        "",
                        "SPRING_DATA_REDIS_PORT",
                        Integer.toString(ReplicaProcess.freePort()),
                        "LOGGING_LEVEL_DEV_COLLOQUY",
                        "INFO"))) {
            replica.awaitReady(System.nanoTime() + Duration.ofSeconds(90).toNanos());
            var api = replica.api();
            var account = api.register();
            assertThat(api.post("/api/conversations", account.token(), "{\"title\":\"local\"}")
                            .status())
                    .isEqualTo(201);
            var health = api.get("/actuator/health", null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().get("status").asString()).isEqualTo("UP");
            assertThat(Files.readString(replica.log()))
                    .contains("Starting AOT-processed ColloquyApplication")
                    .contains("caching in process only");
        }
    }

    @Test
    void withoutPostgresItStopsAtOnceAndSaysWhatToSet() throws Exception {
        var name = "aot-without-postgres-" + System.nanoTime();
        try (var replica = ReplicaProcess.start(name, ReplicaProcess.freePort(), Map.of("SPRING_DATASOURCE_URL", ""))) {
            assertThat(replica.awaitExit(Duration.ofSeconds(60)))
                    .as("exits on its own")
                    .isTrue();
            assertThat(replica.exitValue()).isNotZero();
            assertThat(Files.readString(replica.log()))
                    .contains("The AOT-processed start (spring.aot.enabled=true) runs the set-up the build prepared")
                    .contains("SPRING_DATASOURCE_URL is not set")
                    .doesNotContain("embedded PostgreSQL is listening")
                    .doesNotContain("Started ColloquyApplication");
        }
    }
}
