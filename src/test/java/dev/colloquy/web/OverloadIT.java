package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.Replica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backpressure: a replica that already works on {@code max-in-flight} requests answers the next ones
 * 503 {@code overloaded} with {@code Retry-After} at once, finishes the ones it took, and serves
 * again as soon as they are done. A replica of its own with a limit of 4.
 */
class OverloadIT {

    private static final int LIMIT = 4;
    private static Replica replica;

    @BeforeAll
    static void start() {
        replica = Replica.start(Map.of(
                "colloquy.web.max-in-flight",
                Integer.toString(LIMIT),
                "colloquy.web.queue-timeout",
                "50ms",
                "colloquy.llm.models[0].name",
                "slow-model",
                "colloquy.llm.models[0].base-url",
                FakeUpstream.get().baseUrl()));
    }

    @AfterAll
    static void stop() {
        replica.close();
    }

    @Test
    void requestsOverTheLimitAre503WithRetryAfterAndTheTakenOnesFinish() throws Exception {
        var api = replica.api();
        var account = api.register();
        int callers = 12;
        double shedBefore = shed(api);
        for (int i = 0; i < LIMIT; i++) {
            FakeUpstream.get().script("slow-model", Reply.slowChunks(Duration.ofMillis(400), "one ", "two ", "three"));
        }
        var calls = Executors.newVirtualThreadPerTaskExecutor();
        var slow = new ArrayList<CompletableFuture<Api.Response>>();
        for (int i = 0; i < LIMIT; i++) {
            slow.add(CompletableFuture.supplyAsync(() -> chat(api, account.token()), calls));
        }
        Thread.sleep(300);
        var refused = new ArrayList<CompletableFuture<Api.Response>>();
        for (int i = 0; i < callers - LIMIT; i++) {
            refused.add(CompletableFuture.supplyAsync(() -> api.get("/api/conversations", account.token()), calls));
        }

        for (var call : refused) {
            var response = call.get(10, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.header("Retry-After")).isEqualTo("1");
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("type").asString()).isEqualTo("urn:colloquy:problem:overloaded");
            assertThat(response.header("X-Request-Id")).isNotBlank();
        }
        for (var call : slow) {
            var response = call.get(30, TimeUnit.SECONDS);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.json()
                            .get("choices")
                            .get(0)
                            .get("message")
                            .get("content")
                            .asString())
                    .isEqualTo("one two three");
        }
        assertThat(api.get("/api/conversations", account.token()).status()).isEqualTo(200);
        assertThat(api.get("/actuator/health/readiness", null).status())
                .as("probes are never shed")
                .isEqualTo(200);
        assertThat(shed(api) - shedBefore).isEqualTo(callers - LIMIT);
    }

    private static double shed(Api api) {
        return api.get("/actuator/prometheus", null)
                .body()
                .lines()
                .filter(line -> line.startsWith("http_server_requests_shed_total "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aFloodGetsOnlyAnswersOr503sNeverAnErrorAndTheReplicaRecovers() throws Exception {
        var api = replica.api();
        var account = api.register();
        var calls = Executors.newVirtualThreadPerTaskExecutor();
        var flood = new ArrayList<CompletableFuture<Api.Response>>();
        for (int i = 0; i < 400; i++) {
            flood.add(CompletableFuture.supplyAsync(() -> api.get("/api/conversations", account.token()), calls));
        }
        int answered = 0;
        for (var call : flood) {
            var response = call.get(60, TimeUnit.SECONDS);
            assertThat(response.status()).as(response.body()).isIn(200, 503);
            if (response.status() == 200) {
                answered++;
            } else {
                assertThat(response.header("Retry-After")).isEqualTo("1");
            }
        }
        assertThat(answered).isPositive();
        assertThat(api.get("/api/conversations", account.token()).status()).isEqualTo(200);
    }

    private static Api.Response chat(Api api, String token) {
        return api.post(
                "/v1/chat/completions",
                token,
                "{\"model\":\"slow-model\",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
    }
}
