package dev.colloquy.llm;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Anthropic's Messages API, streamed: system messages go to the top-level {@code system}, the rest
 * alternate user and assistant (consecutive ones of a role are joined), and the token counts come from
 * the {@code message_start} and {@code message_delta} events.
 */
final class AnthropicProvider implements ChatProvider {

    static final String VERSION = "2023-06-01";
    private static final int DEFAULT_MAX_TOKENS = 4_096;

    private final SseUpstream http;

    AnthropicProvider(SseUpstream http) {
        this.http = http;
    }

    @Override
    public ProviderResult stream(LlmModel model, ChatRequest request, TokenSink sink, Deadlines deadlines)
            throws UpstreamFailure {
        var headers = new LinkedHashMap<String, String>();
        headers.put("Accept", "text/event-stream");
        headers.put("anthropic-version", VERSION);
        if (model.apiKey() != null && !model.apiKey().isBlank()) {
            headers.put("x-api-key", model.apiKey());
        }
        var response = http.post(
                URI.create(model.baseUrl() + "/messages"), headers, body(model, request), deadlines.firstToken());
        return http.stream(response.body(), request, sink, deadlines, AnthropicProvider::read);
    }

    private static String read(JsonNode event, SseUpstream.State state) {
        switch (event.path("type").asString("")) {
            case "message_start" -> {
                var usage = event.path("message").path("usage");
                state.inputTokens = usage.path("input_tokens").asInt(-1)
                        + usage.path("cache_read_input_tokens").asInt(0)
                        + usage.path("cache_creation_input_tokens").asInt(0);
            }
            case "content_block_delta" -> {
                var delta = event.path("delta");
                if ("text_delta".equals(delta.path("type").asString(""))) {
                    return delta.path("text").asString("");
                }
            }
            case "message_delta" -> {
                state.outputTokens = event.path("usage").path("output_tokens").asInt(state.outputTokens);
                var reason = event.path("delta").path("stop_reason");
                if (reason.isString()) {
                    state.finishReason = reason.asString().equals("max_tokens") ? "length" : "stop";
                }
            }
            case "message_stop" -> state.done = true;
            case "error" ->
                throw new IllegalStateException("upstream error event: "
                        + event.path("error").path("type").asString("unknown"));
            default -> {}
        }
        return "";
    }

    static Map<String, Object> body(LlmModel model, ChatRequest request) {
        var system = new StringBuilder();
        var messages = new ArrayList<Map<String, Object>>();
        String lastRole = null;
        for (var message : request.messages()) {
            if (message.role().equals("system")) {
                system.append(system.isEmpty() ? "" : "\n\n").append(message.content());
                continue;
            }
            if (messages.isEmpty() && message.role().equals("assistant")) {
                continue; // the Messages API starts with the user
            }
            if (message.role().equals(lastRole)) {
                var previous = messages.getLast();
                previous.put("content", previous.get("content") + "\n\n" + message.content());
            } else {
                var entry = new LinkedHashMap<String, Object>();
                entry.put("role", message.role());
                entry.put("content", message.content());
                messages.add(entry);
                lastRole = message.role();
            }
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("model", model.upstreamModel());
        body.put(
                "max_tokens",
                request.maxTokens() != null
                        ? request.maxTokens()
                        : Math.min(DEFAULT_MAX_TOKENS, model.contextWindow() / 4));
        if (!system.isEmpty()) {
            body.put("system", system.toString());
        }
        body.put("messages", List.copyOf(messages));
        body.put("stream", true);
        if (request.temperature() != null) {
            body.put("temperature", Math.min(1.0, request.temperature()));
        }
        return body;
    }
}
