package dev.colloquy.llm;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Any OpenAI-compatible chat completions API (OpenAI, vLLM, Ollama, llama.cpp, LM Studio, OpenRouter,
 * ...), always streamed with {@code stream_options.include_usage}, so that tokens reach the client as
 * they come and the upstream's own token counts are billed.
 */
final class OpenAiCompatibleProvider implements ChatProvider {

    private final SseUpstream http;

    OpenAiCompatibleProvider(SseUpstream http) {
        this.http = http;
    }

    @Override
    public ProviderResult stream(LlmModel model, ChatRequest request, TokenSink sink, Deadlines deadlines)
            throws UpstreamFailure {
        var response = http.post(
                URI.create(model.baseUrl() + "/chat/completions"),
                headers(model, "text/event-stream"),
                body(model, request),
                deadlines.firstToken());
        return http.stream(response.body(), request, sink, deadlines, OpenAiCompatibleProvider::read);
    }

    /** What an upstream's {@code /embeddings} answered: its JSON as it came, and the tokens billed. */
    record Embeddings(JsonNode body, int inputTokens) {}

    Embeddings embed(LlmModel model, JsonNode input, Instant answerBy) throws UpstreamFailure {
        var response = http.post(
                URI.create(model.baseUrl() + "/embeddings"),
                headers(model, "application/json"),
                Map.of("model", model.upstreamModel(), "input", input),
                answerBy);
        try (var stream = response.body()) {
            var answer = http.json().readTree(stream);
            return new Embeddings(
                    answer, answer.path("usage").path("prompt_tokens").asInt(0));
        } catch (IOException | RuntimeException e) {
            throw new UpstreamFailure(
                    UpstreamFailure.Kind.BROKEN_STREAM, "the upstream embeddings answer was unreadable", null);
        }
    }

    private static String read(JsonNode chunk, SseUpstream.State state) {
        var usage = chunk.get("usage");
        if (usage != null && usage.isObject()) {
            state.inputTokens = usage.path("prompt_tokens").asInt(-1);
            state.outputTokens = usage.path("completion_tokens").asInt(-1);
        }
        var choice = chunk.path("choices").path(0);
        var reason = choice.path("finish_reason");
        if (reason.isString()) {
            state.finishReason = reason.asString();
        }
        var content = choice.path("delta").path("content");
        return content.isString() ? content.asString() : "";
    }

    private static Map<String, String> headers(LlmModel model, String accept) {
        var headers = new LinkedHashMap<String, String>();
        headers.put("Accept", accept);
        if (model.apiKey() != null && !model.apiKey().isBlank()) {
            headers.put("Authorization", "Bearer " + model.apiKey());
        }
        return headers;
    }

    private static Map<String, Object> body(LlmModel model, ChatRequest request) {
        var body = new LinkedHashMap<String, Object>();
        body.put("model", model.upstreamModel());
        body.put(
                "messages",
                request.messages().stream()
                        .map(m -> Map.of("role", m.role(), "content", m.content()))
                        .toList());
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.maxTokens() != null) {
            body.put("max_tokens", request.maxTokens());
        }
        return body;
    }
}
