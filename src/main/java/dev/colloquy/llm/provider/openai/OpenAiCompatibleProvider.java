package dev.colloquy.llm.provider.openai;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.provider.ChatProvider;
import dev.colloquy.llm.provider.ProviderResult;
import dev.colloquy.llm.provider.SseUpstream;
import dev.colloquy.llm.provider.UpstreamFailure;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Any OpenAI-compatible chat completions API (OpenAI, vLLM, Ollama, llama.cpp, LM Studio, OpenRouter,
 * ...), always streamed with {@code stream_options.include_usage}, so that tokens reach the client as
 * they come and the upstream's own token counts are billed. A client's own body goes upstream as it
 * was sent, every field included.
 */
@org.springframework.stereotype.Component
public final class OpenAiCompatibleProvider implements ChatProvider {

    private final SseUpstream http;

    public OpenAiCompatibleProvider(SseUpstream http) {
        this.http = http;
    }

    @Override
    public String id() {
        return "openai";
    }

    @Override
    public ProviderResult stream(LlmModel model, ChatRequest request, AnswerSink sink, Deadlines deadlines)
            throws UpstreamFailure {
        var response = http.post(
                URI.create(model.baseUrl() + "/chat/completions"),
                headers(model, "text/event-stream"),
                OpenAiWire.upstreamBody(model, request),
                deadlines.firstToken());
        return http.stream(response, request, sink, deadlines, OpenAiWire::read);
    }

    /** What an upstream's {@code /embeddings} answered: its JSON as it came, and the tokens billed. */
    public record Embeddings(JsonNode body, int inputTokens) {}

    public Embeddings embed(LlmModel model, JsonNode input, Instant answerBy) throws UpstreamFailure {
        var response = http.post(
                URI.create(model.baseUrl() + "/embeddings"),
                headers(model, "application/json"),
                Map.of("model", model.upstreamModel(), "input", input),
                answerBy);
        try (response) {
            var answer = http.json().readTree(response.body());
            return new Embeddings(
                    answer, answer.path("usage").path("prompt_tokens").asInt(0));
        } catch (IOException | RuntimeException e) {
            throw new UpstreamFailure(
                    UpstreamFailure.Kind.BROKEN_STREAM, "the upstream embeddings answer was unreadable", null);
        }
    }

    private static Map<String, String> headers(LlmModel model, String accept) {
        var headers = new LinkedHashMap<String, String>();
        headers.put("Accept", accept);
        if (model.apiKey() != null && !model.apiKey().isBlank()) {
            headers.put("Authorization", "Bearer " + model.apiKey());
        }
        return headers;
    }
}
