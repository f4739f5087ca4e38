package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.Replica;
import dev.colloquy.TestRedis;
import dev.colloquy.ToggleProxy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis refusing connections, then hanging, in the middle of traffic: every request still succeeds
 * with correct data from PostgreSQL, the breaker opens, and when Redis is back it closes by itself
 * and the cache fills again, without a stale read of what was written meanwhile.
 */
class RedisFailureIT {

    private static ToggleProxy proxy;
    private static Replica replica;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ToggleProxy(TestRedis.get().port());
        replica = Replica.start(Map.of(
                "spring.data.redis.url",
                "redis://127.0.0.1:" + proxy.port(),
                "colloquy.cache.key-prefix",
                TestRedis.get().prefix() + "-faults",
                "colloquy.cache.breaker.wait-in-open",
                "1s",
                "colloquy.cache.breaker.minimum-calls",
                "5"));
    }

    @AfterAll
    static void stop() throws Exception {
        replica.close();
        proxy.close();
    }

    @Test
    void servesCorrectDataThroughRefusedAndHangingRedisAndRecovers() throws Exception {
        var api = replica.api();
        var account = api.register();
        var id = api.post("/api/conversations", account.token(), "{\"title\":\"v0\"}")
                .json()
                .get("id")
                .asString();
        api.get("/api/conversations/" + id, account.token());
        assertThat(api.get("/api/conversations/" + id, account.token()).header("X-Cache"))
                .isEqualTo("HIT");

        // what shares the prefix but is not cache: a rate-limit window; and a cache entry
        var redis = replica.bean(org.springframework.data.redis.core.StringRedisTemplate.class);
        var prefix = TestRedis.get().prefix() + "-faults";
        redis.opsForValue().set(prefix + ":rate:{probe}:rpm", "7");
        redis.opsForValue().set(prefix + ":conversation:probe", "cached");

        proxy.mode(ToggleProxy.Mode.REFUSE);
        var title = trafficFor(api, account, id, "refused", Duration.ofSeconds(3), "v0");
        assertThat(circuitState(api)).isEqualTo(2.0);

        proxy.mode(ToggleProxy.Mode.HANG);
        title = trafficFor(api, account, id, "hung", Duration.ofSeconds(3), title);
        assertThat(circuitState(api)).isIn(1.0, 2.0);

        proxy.mode(ToggleProxy.Mode.FORWARD);
        var deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String xCache = null;
        while (System.nanoTime() < deadline) {
            var response = api.get("/api/conversations/" + id, account.token());
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("title").asString()).isEqualTo(title);
            xCache = response.header("X-Cache");
            if ("HIT".equals(xCache) && circuitState(api) == 0.0) {
                break;
            }
            Thread.sleep(200);
        }

        assertThat(xCache).isEqualTo("HIT");
        assertThat(circuitState(api)).isEqualTo(0.0);
        assertThat(redis.opsForValue().get(prefix + ":conversation:probe"))
                .as("the cache is emptied after the outage")
                .isNull();
        assertThat(redis.opsForValue().get(prefix + ":rate:{probe}:rpm"))
                .as("rate limits, budgets and login throttles are not cache and outlive it")
                .isEqualTo("7");
        assertThat(api.get("/actuator/prometheus", null).body())
                .containsPattern("redis_cache_errors_total\\{operation=\"[a-z]+\"} [1-9]");
    }

    /** Reads and writes for a while; every answer must be a success with the latest title. */
    private static String trafficFor(
            Api api, Api.Account account, String id, String phase, Duration duration, String title) {
        var deadline = System.nanoTime() + duration.toNanos();
        var current = title;
        for (int i = 0; System.nanoTime() < deadline && i < 200; i++) {
            if (i % 5 == 4) {
                current = phase + "-" + i;
                var write = api.patch("/api/conversations/" + id, account.token(), "{\"title\":\"" + current + "\"}");
                assertThat(write.status()).as("write while Redis is %s", phase).isEqualTo(200);
            }
            var read = api.get("/api/conversations/" + id, account.token());
            assertThat(read.status()).as("read while Redis is %s", phase).isEqualTo(200);
            assertThat(read.json().get("title").asString())
                    .as("read while Redis is %s", phase)
                    .isEqualTo(current);
            assertThat(api.get("/api/conversations", account.token()).status()).isEqualTo(200);
        }
        return current;
    }

    private static double circuitState(Api api) {
        return api.get("/actuator/prometheus", null)
                .body()
                .lines()
                .filter(line -> line.startsWith("redis_cache_circuit_state "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
    }
}
