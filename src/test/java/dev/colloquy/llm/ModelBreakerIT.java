package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.Replica;
import dev.colloquy.TestRedis;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A model that keeps failing gets its breaker opened: calls then go straight to its fallback. */
class ModelBreakerIT {

    private static Replica replica;
    private final FakeUpstream upstream = FakeUpstream.get();

    @BeforeAll
    static void start() {
        var base = FakeUpstream.get().baseUrl();
        replica = Replica.start(Map.ofEntries(
                Map.entry("spring.data.redis.url", TestRedis.get().url()),
                Map.entry("colloquy.cache.key-prefix", TestRedis.get().prefix() + "-breaker"),
                Map.entry("colloquy.llm.models[0].name", "breaky"),
                Map.entry("colloquy.llm.models[0].base-url", base),
                Map.entry("colloquy.llm.models[0].fallbacks[0]", "steady"),
                Map.entry("colloquy.llm.models[1].name", "steady"),
                Map.entry("colloquy.llm.models[1].base-url", base),
                Map.entry("colloquy.llm.retry.max-attempts", "1"),
                Map.entry("colloquy.llm.breaker.minimum-calls", "4"),
                Map.entry("colloquy.llm.breaker.wait-in-open", "60s")));
    }

    @AfterAll
    static void stop() {
        replica.close();
    }

    @Test
    void aFailingModelIsSkippedOnceItsBreakerOpens() {
        var gateway = replica.bean(LlmGateway.class);
        upstream.script("breaky", Reply.status(500), Reply.status(500), Reply.status(500), Reply.status(500));
        for (int i = 0; i < 4; i++) {
            assertThat(gateway.complete(request(), AnswerSink.DISCARD).model()).isEqualTo("steady");
        }
        int callsWhenOpen = upstream.calls("breaky");

        var completion = gateway.complete(request(), AnswerSink.DISCARD);

        assertThat(completion.model()).isEqualTo("steady");
        assertThat(upstream.calls("breaky"))
                .as("no call reaches the open model")
                .isEqualTo(callsWhenOpen);
        assertThat(replica.api().get("/actuator/prometheus", null).body())
                .containsPattern("llm_upstream_errors_total\\{.*reason=\"circuit_open\".*} [1-9]")
                .containsPattern("llm_fallbacks_total\\{from=\"breaky\",to=\"steady\"} [1-9]");
    }

    private static ChatRequest request() {
        return new ChatRequest(
                UUID.randomUUID(), "breaky", List.of(LlmMessage.of("user", "hi")), null, null, null, Set.of());
    }
}
