package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.colloquy.IntegrationTest;
import dev.colloquy.TestRedis;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class TwoTierCacheIT extends IntegrationTest {

    record Note(String text, int version) {}

    @Autowired
    TwoTierCache cache;

    @Test
    void typedValuesRoundTripThroughRedis() {
        var notes = cache.typed(CacheNamespace.DOCUMENT_METADATA, Note.class);
        var key = UUID.randomUUID().toString();

        notes.put(key, new Note("hello", 1));

        assertThat(notes.get(key)).contains(new Note("hello", 1));
        assertThat(redisKeysMatching("*document_metadata*" + key + "*")).isEqualTo(1);
        notes.evict(key);
        assertThat(notes.get(key)).isEmpty();
    }

    @Test
    void concurrentMissesLoadOnce() throws Exception {
        var notes = cache.typed(CacheNamespace.DOCUMENT_METADATA, Note.class);
        var key = UUID.randomUUID().toString();
        var loads = new AtomicInteger();
        var start = new CountDownLatch(1);

        try (var pool = Executors.newFixedThreadPool(16)) {
            var tasks = new ArrayList<Callable<Note>>();
            for (int i = 0; i < 16; i++) {
                tasks.add(() -> {
                    start.await();
                    return notes.getOrLoad(key, () -> {
                        loads.incrementAndGet();
                        sleep(200);
                        return new Note("loaded", 1);
                    });
                });
            }
            var futures = tasks.stream().map(pool::submit).toList();
            start.countDown();
            for (var future : futures) {
                assertThat(future.get()).isEqualTo(new Note("loaded", 1));
            }
        }

        assertThat(loads).hasValue(1);
    }

    @Test
    void aValueLoadedBeforeAnInvalidationIsNotStored() {
        var notes = cache.typed(CacheNamespace.DOCUMENT_METADATA, Note.class);
        var key = UUID.randomUUID().toString();

        var loaded = notes.getOrLoad(key, () -> {
            notes.evict(key);
            sleep(5);
            return new Note("stale", 1);
        });

        assertThat(loaded).isEqualTo(new Note("stale", 1));
        assertThat(notes.get(key)).isEmpty();
    }

    @Test
    void aValueOfAnotherShapeIsAMissNotGarbage() {
        var key = UUID.randomUUID().toString();
        var fingerprintOfNote = Fingerprints.of(Note.class);
        var fullKey = TestRedis.get().prefix() + ":document_metadata:" + fingerprintOfNote + ":{" + key + "}";
        withRedis(commands ->
                commands.set(fullKey, "V\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000{\"unexpected\":true}"));

        var notes = cache.typed(CacheNamespace.DOCUMENT_METADATA, Note.class);

        assertThat(notes.getOrLoad(key, () -> new Note("fresh", 2))).isEqualTo(new Note("fresh", 2));
    }

    @Test
    void adminSeesStatsAndInvalidatesByPattern() {
        var admin = api().admin();
        var user = api().register();
        api().get("/api/me", user.token());
        api().get("/api/me", user.token());

        var stats = api().get("/api/admin/cache/stats", admin.token());
        var invalidated = api().post("/api/admin/cache/invalidate", admin.token(), "{\"pattern\":\"http:*\"}");
        var afterwards = api().get("/api/me", user.token());
        var hostile = api().post("/api/admin/cache/invalidate", admin.token(), "{\"pattern\":\"* ; FLUSHALL\"}");
        var notAdmin = api().get("/api/admin/cache/stats", user.token());

        assertThat(stats.status()).isEqualTo(200);
        assertThat(stats.json().get("redisConfigured").asBoolean()).isTrue();
        assertThat(stats.json().get("circuitBreaker").asString()).isEqualTo("closed");
        assertThat(stats.json().get("namespaces").toString()).contains("\"name\":\"http\"");
        assertThat(invalidated.status()).isEqualTo(200);
        assertThat(invalidated.json().get("removed").asLong()).isPositive();
        assertThat(afterwards.header("X-Cache")).isEqualTo("MISS");
        assertThat(hostile.status()).isEqualTo(422);
        assertThat(notAdmin.status()).isEqualTo(403);
    }

    @Test
    void cacheMetricsCarryTheirNamesAndTags() {
        var user = api().register();
        api().get("/api/me", user.token());
        api().get("/api/me", user.token());

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(api().get("/actuator/prometheus", null).body())
                                .contains("redis_cache_hits_total{namespace=\"http\",tier=\"l1\"}")
                                .contains("redis_cache_misses_total{namespace=\"session\",tier=\"l2\"}")
                                .contains("redis_cache_hit_rate{namespace=\"session\"}")
                                .contains("redis_cache_keys{namespace=\"http\",tier=\"l2\"}")
                                .contains("redis_cache_size_bytes{namespace=\"http\",tier=\"l2\"}")
                                .contains("redis_cache_ttl_remaining_seconds{namespace=\"http\"}")
                                .contains("redis_cache_evictions_total{namespace=\"all\",tier=\"l1\"}")
                                .contains("redis_cache_invalidations_total{")
                                .contains("redis_cache_operation_seconds_count{operation=\"get\",tier=\"l2\"}")
                                .contains("redis_cache_circuit_state 0.0")
                                .containsPattern("redis_cache_keys\\{namespace=\"http\",tier=\"l2\"} [1-9]"));
    }

    private static long redisKeysMatching(String glob) {
        var count = new long[1];
        withRedis(commands ->
                count[0] = commands.keys(TestRedis.get().prefix() + glob).size());
        return count[0];
    }

    private static void withRedis(
            java.util.function.Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> work) {
        var client = RedisClient.create(TestRedis.get().url());
        try (var connection = client.connect()) {
            work.accept(connection.sync());
        } finally {
            client.shutdown();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
