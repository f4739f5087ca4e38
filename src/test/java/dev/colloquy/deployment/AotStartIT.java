package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.ReplicaProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The container image's start ({@code -Dspring.aot.enabled=true}: bean definitions the build computed
 * for an external PostgreSQL and Redis). FailoverIT, CrashIT and DatabaseRestartIT run their replicas
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
            var conversation = api.post("/api/conversations", account.token(), "{\"title\":\"aot\"}");
            assertThat(conversation.status()).isEqualTo(201);
            assertThat(api.get("/api/conversations", account.token()).body()).contains("\"aot\"");
            assertThat(api.get("/api/auth/providers", null).json().get("items").size())
                    .isZero();
            assertThat(Files.readString(replica.log())).contains("Starting AOT-processed ColloquyApplication");
        }
    }

    @Test
    void withoutRedisItStopsAtOnceAndSaysWhatToSet() throws Exception {
        var name = "aot-without-redis-" + System.nanoTime();
        try (var replica = ReplicaProcess.start(name, ReplicaProcess.freePort(), Map.of("SPRING_DATA_REDIS_URL", ""))) {
            assertThat(replica.awaitExit(Duration.ofSeconds(60)))
                    .as("exits on its own")
                    .isTrue();
            assertThat(replica.exitValue()).isNotZero();
            assertThat(Files.readString(replica.log()))
                    .contains("The AOT-processed start (spring.aot.enabled=true) runs the set-up the build prepared")
                    .contains("SPRING_DATA_REDIS_URL (or a Sentinel or Cluster setting) is not set")
                    .doesNotContain("SPRING_DATASOURCE_URL and")
                    .doesNotContain("Started ColloquyApplication");
        }
    }

    @Test
    void withoutPostgresNorRedisItNamesBoth() throws Exception {
        var name = "aot-without-services-" + System.nanoTime();
        try (var replica = ReplicaProcess.start(
                name, ReplicaProcess.freePort(), Map.of("SPRING_DATASOURCE_URL", "", "SPRING_DATA_REDIS_URL", ""))) {
            assertThat(replica.awaitExit(Duration.ofSeconds(60))).isTrue();
            assertThat(replica.exitValue()).isNotZero();
            assertThat(Files.readString(replica.log()))
                    .contains(
                            "SPRING_DATASOURCE_URL and SPRING_DATA_REDIS_URL (or a Sentinel or Cluster setting) are not"
                                    + " set")
                    .doesNotContain("embedded PostgreSQL is listening");
        }
    }
}
