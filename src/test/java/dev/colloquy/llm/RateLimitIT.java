package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.Replica;
import dev.colloquy.TestRedis;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A per-user requests-per-minute limit holds across two replicas, not once per replica. */
class RateLimitIT {

    private static Replica first;
    private static Replica second;

    @BeforeAll
    static void start() {
        var settings = Map.of(
                "spring.data.redis.url",
                TestRedis.get().url(),
                "colloquy.cache.key-prefix",
                TestRedis.get().prefix() + "-rate",
                "colloquy.llm.rate-limit.requests-per-minute",
                "5");
        first = Replica.start(settings);
        second = Replica.start(settings);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
    }

    @Test
    void theLimitIsGlobalAcrossReplicasAndSaysWhenToRetry() throws Exception {
        var account = first.api().register();
        var key = first.api()
                .post("/api/api-keys", account.token(), "{\"name\":\"rate\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();
        var body = "{\"model\":\"local\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        var responses = new ArrayList<Api.Response>();
        try (var pool = Executors.newFixedThreadPool(6)) {
            var tasks = new ArrayList<Callable<Api.Response>>();
            for (int i = 0; i < 12; i++) {
                var replica = i % 2 == 0 ? first : second;
                tasks.add(() -> replica.api().post("/v1/chat/completions", key, body));
            }
            for (var future : pool.invokeAll(tasks)) {
                responses.add(future.get());
            }
        }

        assertThat(responses.stream().filter(r -> r.status() == 200)).hasSize(5);
        var limited = responses.stream().filter(r -> r.status() == 429).toList();
        assertThat(limited).hasSize(7).allSatisfy(r -> {
            assertThat(Integer.parseInt(r.header("Retry-After"))).isBetween(1, 60);
            assertThat(r.json().get("error").get("type").asString()).isEqualTo("rate_limit_error");
        });
        var conversation = first.api()
                .post("/api/conversations", account.token(), "{}")
                .json()
                .get("id")
                .asString();
        var turn = second.api()
                .post("/api/conversations/" + conversation + "/messages", account.token(), "{\"content\":\"again\"}");
        assertThat(turn.status()).isEqualTo(429);
        assertThat(turn.contentType()).startsWith("application/problem+json");
        assertThat(turn.json().get("type").asString()).isEqualTo("urn:colloquy:problem:rate-limited");
    }
}
