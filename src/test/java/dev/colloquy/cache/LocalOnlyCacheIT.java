package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Replica;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Without SPRING_DATA_REDIS_URL the service caches in process only, with the same rules. */
class LocalOnlyCacheIT {

    private static Replica replica;

    @BeforeAll
    static void start() {
        replica = Replica.start(Map.of("colloquy.cache.local-ttl", "1s"));
    }

    @AfterAll
    static void stop() {
        replica.close();
    }

    @Test
    void cachesInProcessAndInvalidatesOnWrites() {
        var account = replica.api().register();
        var id = replica.api()
                .post("/api/conversations", account.token(), "{\"title\":\"one\"}")
                .json()
                .get("id")
                .asString();

        var miss = replica.api().get("/api/conversations", account.token());
        var hit = replica.api().get("/api/conversations", account.token());
        replica.api().patch("/api/conversations/" + id, account.token(), "{\"title\":\"two\"}");
        var afterWrite = replica.api().get("/api/conversations", account.token());

        assertThat(miss.header("X-Cache")).isEqualTo("MISS");
        assertThat(hit.header("X-Cache")).isEqualTo("HIT");
        assertThat(afterWrite.header("X-Cache")).isEqualTo("MISS");
        assertThat(afterWrite.json().get("items").get(0).get("title").asString())
                .isEqualTo("two");
    }

    @Test
    void aloneTheInProcessTierKeepsEntriesForTheirWholeTimeToLive() throws InterruptedException {
        var account = replica.api().register();
        replica.api().get("/api/me", account.token());

        Thread.sleep(1_500);
        var later = replica.api().get("/api/me", account.token());

        assertThat(later.header("X-Cache"))
                .as("local-ttl (1 s) bounds entries only in front of Redis")
                .isEqualTo("HIT");
    }

    @Test
    void reportsNoRedisAndStaysHealthy() {
        var admin = replica.api().admin();

        var stats = replica.api().get("/api/admin/cache/stats", admin.token()).json();
        var health = replica.api().get("/actuator/health", null);
        var metrics = replica.api().get("/actuator/prometheus", null).body();

        assertThat(stats.get("redisConfigured").asBoolean()).isFalse();
        assertThat(stats.get("circuitBreaker").asString()).isEqualTo("none");
        assertThat(health.status()).isEqualTo(200);
        assertThat(metrics).contains("redis_cache_circuit_state -1.0");
    }
}
