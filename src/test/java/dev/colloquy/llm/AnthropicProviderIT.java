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
                        LlmMessage.of("system", "Answer in French."),
                        LlmMessage.of("user", "Hello"),
                        LlmMessage.of("user", "everyone"))),
                AnswerSink.text(tokens::add));

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
                        LlmMessage.of("assistant", "a greeting nobody asked for"),
                        LlmMessage.of("system", "Be brief."),
                        LlmMessage.of("user", "one"),
                        LlmMessage.of("user", "two"),
                        LlmMessage.of("assistant", "ok"),
                        LlmMessage.of("user", "three"))),
                AnswerSink.DISCARD);

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
        assertThat(messages.get(0).path("content").toString())
                .isEqualTo("[{\"type\":\"text\",\"text\":\"one\"},{\"type\":\"text\",\"text\":\"two\"}]");
        assertThat(messages.get(1).path("content").toString()).isEqualTo("[{\"type\":\"text\",\"text\":\"ok\"}]");
        assertThat(messages.get(2).path("content").get(0).path("text").asString())
                .isEqualTo("three");
    }

    @Test
    void retriesWhenAnthropicIsOverloaded() {
        int before = upstream.calls("claude-test");
        upstream.script("claude-test", Reply.status(529), Reply.stream("back"));

        var completion = gateway.complete(request(List.of(LlmMessage.of("user", "hi"))), AnswerSink.DISCARD);

        assertThat(completion.text()).isEqualTo("back");
        assertThat(upstream.calls("claude-test") - before).isEqualTo(2);
    }

    private static ChatRequest request(List<LlmMessage> messages) {
        return new ChatRequest(UUID.randomUUID(), "claude-test", messages, null, null, null, Set.of());
    }
}
