package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The Anthropic Messages API provider against the test upstream's implementation of that API. */
class AnthropicProviderIT extends IntegrationTest {

    @Autowired
    LlmGateway gateway;

    private final FakeUpstream upstream = FakeUpstream.get();

    @Test
    void streamsTextAndBillsTheMessagesUsage() {
        var tokens = new ArrayList<String>();
        upstream.script("claude-test", Reply.stream("Bonjour", " tout", " le monde"));

        var completion = gateway.complete(
                request(List.of(
                        new LlmMessage("system", "Answer in French."),
                        new LlmMessage("user", "Hello"),
                        new LlmMessage("user", "everyone"))),
                tokens::add);

        assertThat(tokens).containsExactly("Bonjour", " tout", " le monde");
        assertThat(completion.complete()).isTrue();
        assertThat(completion.inputTokens()).isEqualTo(40);
        assertThat(completion.outputTokens()).isEqualTo(9);
        assertThat(completion.costUsd()).isEqualByComparingTo(new BigDecimal("0.000255"));
    }

    @Test
    void sendsTheMessagesApiShapeAndHeaders() {
        gateway.complete(
                request(List.of(
                        new LlmMessage("assistant", "a greeting nobody asked for"),
                        new LlmMessage("system", "Be brief."),
                        new LlmMessage("user", "one"),
                        new LlmMessage("user", "two"),
                        new LlmMessage("assistant", "ok"),
                        new LlmMessage("user", "three"))),
                TokenSink.DISCARD);

        var sent = upstream.lastRequest("claude-test");
        var headers = upstream.lastHeaders("claude-test");
        assertThat(headers)
                .containsEntry("x-api-key", "test-anthropic-key")
                .containsEntry("anthropic-version", "2023-06-01");
        assertThat(sent.path("system").asString()).isEqualTo("Be brief.");
        assertThat(sent.path("max_tokens").asInt()).isPositive();
        assertThat(sent.path("stream").asBoolean()).isTrue();
        var messages = sent.path("messages");
        assertThat(messages.size()).isEqualTo(3);
        assertThat(messages.get(0).path("role").asString()).isEqualTo("user");
        assertThat(messages.get(0).path("content").asString()).isEqualTo("one\n\ntwo");
        assertThat(messages.get(2).path("content").asString()).isEqualTo("three");
    }

    @Test
    void retriesWhenAnthropicIsOverloaded() {
        int before = upstream.calls("claude-test");
        upstream.script("claude-test", Reply.status(529), Reply.stream("back"));

        var completion = gateway.complete(request(List.of(new LlmMessage("user", "hi"))), TokenSink.DISCARD);

        assertThat(completion.text()).isEqualTo("back");
        assertThat(upstream.calls("claude-test") - before).isEqualTo(2);
    }

    private static ChatRequest request(List<LlmMessage> messages) {
        return new ChatRequest(UUID.randomUUID(), "claude-test", messages, null, null, null, Set.of());
    }
}
