package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The real upstream client against the OpenAI-speaking test server: retries, fallback, time-outs, billing. */
class LlmGatewayIT extends IntegrationTest {

    @Autowired
    LlmGateway gateway;

    private final FakeUpstream upstream = FakeUpstream.get();

    @Test
    void streamsTokensAndBillsTheUpstreamsUsage() {
        var tokens = new ArrayList<String>();
        upstream.script("lonely", Reply.stream("Hel", "lo", "!"));

        var completion = gateway.complete(request("lonely", "hi"), AnswerSink.text(tokens::add));

        assertThat(tokens).containsExactly("Hel", "lo", "!");
        assertThat(completion.text()).isEqualTo("Hello!");
        assertThat(completion.complete()).isTrue();
        assertThat(completion.inputTokens()).isEqualTo(100);
        assertThat(completion.outputTokens()).isEqualTo(6);
        assertThat(completion.timeToFirstToken()).isNotNull();
        var sent = upstream.lastRequest("lonely");
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
        assertThat(sent.path("messages").get(0).path("content").asString()).isEqualTo("hi");
    }

    @Test
    void pricesTokensAtTheModelsRates() {
        upstream.script("test-model", Reply.stream("a", "b", "c"));

        var completion = gateway.complete(request("test-model", "price me"), AnswerSink.DISCARD);

        assertThat(completion.costUsd()).isEqualByComparingTo(new BigDecimal("0.000112"));
    }

    @Test
    void everyCompletedCallIsInTheGatewaysMeters() {
        var model = "gen_ai_request_model=\"test-model\"";
        var durations = api().metric("gen_ai_client_operation_duration_seconds_count", model, "outcome=\"complete\"");
        var firstChunks = api().metric("gen_ai_client_operation_time_to_first_chunk_seconds_count", model);
        var inputTokens = api().metric("gen_ai_client_token_usage_sum", model, "gen_ai_token_type=\"input\"");
        var outputTokens = api().metric("gen_ai_client_token_usage_sum", model, "gen_ai_token_type=\"output\"");
        var cost = api().metric("llm_cost_usd_total", model, "gen_ai_provider_name=\"openai\"");
        var overheads = api().metric("llm_gateway_overhead_seconds_count", model);
        upstream.script("test-model", Reply.stream("a", "b", "c"), Reply.stream("d"));

        var first = gateway.complete(request("test-model", "meter me"), AnswerSink.DISCARD);
        var second = gateway.complete(request("test-model", "meter me again"), AnswerSink.DISCARD);

        assertThat(api().metric("gen_ai_client_operation_duration_seconds_count", model, "outcome=\"complete\""))
                .isEqualTo(durations + 2);
        assertThat(api().metric("gen_ai_client_operation_time_to_first_chunk_seconds_count", model))
                .isEqualTo(firstChunks + 2);
        assertThat(api().metric("gen_ai_client_token_usage_sum", model, "gen_ai_token_type=\"input\""))
                .isEqualTo(inputTokens + first.inputTokens() + second.inputTokens());
        assertThat(api().metric("gen_ai_client_token_usage_sum", model, "gen_ai_token_type=\"output\""))
                .isEqualTo(outputTokens + first.outputTokens() + second.outputTokens());
        assertThat(api().metric("llm_cost_usd_total", model, "gen_ai_provider_name=\"openai\""))
                .isCloseTo(cost + first.costUsd().add(second.costUsd()).doubleValue(), offset(1e-12));
        assertThat(api().metric("llm_gateway_overhead_seconds_count", model)).isEqualTo(overheads + 2);
        assertThat(api().get("/actuator/prometheus", null).body())
                .as("no long-task timer per request")
                .doesNotContain("http_server_requests_active_seconds")
                .contains("http_server_requests_seconds_count{");
    }

    @Test
    void retriesARateLimitAfterItsRetryAfter() {
        int before = upstream.calls("lonely");
        upstream.script("lonely", Reply.rateLimited("0.05"), Reply.stream("ok"));

        var completion = gateway.complete(request("lonely", "again"), AnswerSink.DISCARD);

        assertThat(completion.text()).isEqualTo("ok");
        assertThat(upstream.calls("lonely") - before).isEqualTo(2);
    }

    @Test
    void givesUpAfterItsAttemptsWithARetryableProblem() {
        int before = upstream.calls("lonely");
        upstream.script("lonely", Reply.status(500), Reply.status(502), Reply.status(503));

        assertThatThrownBy(() -> gateway.complete(request("lonely", "fail"), AnswerSink.DISCARD))
                .isInstanceOf(ModelUnavailable.class)
                .satisfies(e -> assertThat(((ModelUnavailable) e).retryAfter()).isNotNull());
        assertThat(upstream.calls("lonely") - before).isEqualTo(3);
    }

    @Test
    void doesNotRetryARequestTheUpstreamRejects() {
        int before = upstream.calls("lonely");
        upstream.script("lonely", Reply.status(400));

        assertThatThrownBy(() -> gateway.complete(request("lonely", "bad"), AnswerSink.DISCARD))
                .isInstanceOf(ModelRejectedRequest.class)
                .hasMessageContaining("scripted failure 400");
        assertThat(upstream.calls("lonely") - before).isEqualTo(1);
    }

    @Test
    void fallsBackToTheNextModelWhenOneKeepsFailing() {
        upstream.script("test-model", Reply.status(500), Reply.status(500), Reply.status(500));
        upstream.script("test-backup", Reply.stream("from ", "backup"));

        var completion = gateway.complete(request("test-model", "who answers?"), AnswerSink.DISCARD);

        assertThat(completion.model()).isEqualTo("test-backup");
        assertThat(completion.text()).isEqualTo("from backup");
    }

    @Test
    void retriesAFirstTokenThatComesTooLate() {
        int before = upstream.calls("lonely");
        upstream.script("lonely", Reply.slowFirstToken(Duration.ofSeconds(3), "late"), Reply.stream("on time"));

        var completion = gateway.complete(request("lonely", "hurry"), AnswerSink.DISCARD);

        assertThat(completion.text()).isEqualTo("on time");
        assertThat(upstream.calls("lonely") - before).isEqualTo(2);
    }

    @Test
    void keepsAndBillsAStreamCutOffAfterTokensWereSent() {
        var tokens = new ArrayList<String>();
        upstream.script("lonely", Reply.cutAfter("one ", "two ", "three ", "four ", "five"));

        var completion = gateway.complete(request("lonely", "go"), AnswerSink.text(tokens::add));

        assertThat(completion.complete()).isFalse();
        assertThat(completion.finishReason()).isEqualTo("upstream_cut");
        assertThat(completion.text()).isEqualTo(String.join("", tokens)).startsWith("one two");
        assertThat(completion.outputTokens()).isPositive();
    }

    @Test
    void stopsTheUpstreamWhenTheClientLeaves() {
        int cancelled = upstream.cancelled("lonely");
        // twenty tokens, 50 ms apart: the upstream is still writing a second after the client left
        var chunks = new String[20];
        chunks[0] = "a";
        chunks[1] = "b";
        java.util.Arrays.fill(chunks, 2, chunks.length, "x");
        upstream.script("lonely", Reply.slowChunks(Duration.ofMillis(50), chunks));
        var tokens = new ArrayList<String>();

        var completion = gateway.complete(request("lonely", "bye"), AnswerSink.text(token -> {
            tokens.add(token);
            if (tokens.size() == 2) {
                throw new java.io.IOException("client gone");
            }
        }));

        assertThat(completion.complete()).isFalse();
        assertThat(completion.finishReason()).isEqualTo("client_disconnected");
        assertThat(completion.text()).isEqualTo("a");
        // the connection was dropped, so the upstream stops generating: it cannot write the rest
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> upstream.cancelled("lonely") == cancelled + 1);
    }

    @Test
    void retriesAnAnswerThatIsNotTheProtocol() {
        int before = upstream.calls("lonely");
        upstream.script(
                "lonely",
                Reply.garbage("text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
                Reply.garbage("text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\"\n\n"),
                Reply.stream("sound ", "answer"));

        var completion = gateway.complete(request("lonely", "anyone there?"), AnswerSink.DISCARD);

        assertThat(completion.complete()).isTrue();
        assertThat(completion.text()).isEqualTo("sound answer");
        assertThat(upstream.calls("lonely") - before).isEqualTo(3);
    }

    @Test
    void keepsAndBillsAStreamThatStallsHalfWay() {
        var tokens = new ArrayList<String>();
        // the idle timeout is 1 s here; the whole-answer timeout (300 s) is far off
        upstream.script(
                "lonely", Reply.stallHalfWay(Duration.ofSeconds(20), "one ", "two ", "three ", "four ", "five"));

        long started = System.nanoTime();
        var completion = gateway.complete(request("lonely", "go"), AnswerSink.text(tokens::add));

        // ended at the idle deadline, not when the upstream speaks again 20 s later
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(completion.complete()).isFalse();
        assertThat(completion.finishReason()).isEqualTo("timeout");
        assertThat(completion.text()).isEqualTo(String.join("", tokens)).isEqualTo("one two three ");
        assertThat(completion.outputTokens()).isPositive();
    }

    @Test
    void unknownModelIsRefused() {
        assertThatThrownBy(() -> gateway.complete(request("no-such-model", "x"), AnswerSink.DISCARD))
                .isInstanceOf(UnknownModel.class);
    }

    private static ChatRequest request(String model, String content) {
        return new ChatRequest(
                UUID.randomUUID(), model, List.of(LlmMessage.of("user", content)), null, null, null, Set.of());
    }
}
