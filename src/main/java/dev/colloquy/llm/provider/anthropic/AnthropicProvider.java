package dev.colloquy.llm.provider.anthropic;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.TokenUsage;
import dev.colloquy.llm.provider.ChatProvider;
import dev.colloquy.llm.provider.ProviderResult;
import dev.colloquy.llm.provider.SseUpstream;
import dev.colloquy.llm.provider.UpstreamFailure;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Anthropic's Messages API, streamed, with the request translated by {@link AnthropicWire} and the
 * events read back: text and {@code input_json_delta} as text and tool-call deltas, the token counts
 * of {@code message_start} and {@code message_delta} (prompt-cache reads and writes as their own
 * buckets), {@code stop_reason} as the finish reason, and {@code error} events by their type.
 */
@org.springframework.stereotype.Component
public final class AnthropicProvider implements ChatProvider {

    static final String VERSION = "2023-06-01";

    private final SseUpstream http;

    public AnthropicProvider(SseUpstream http) {
        this.http = http;
    }

    @Override
    public String id() {
        return "anthropic";
    }

    @Override
    public List<String> unsupported(LlmModel model, ChatRequest request) {
        return AnthropicWire.of(model, request).dropped();
    }

    @Override
    public ProviderResult stream(LlmModel model, ChatRequest request, AnswerSink sink, Deadlines deadlines)
            throws UpstreamFailure {
        var wire = AnthropicWire.of(model, request);
        var headers = new LinkedHashMap<String, String>();
        headers.put("Accept", "text/event-stream");
        headers.put("anthropic-version", VERSION);
        if (wire.structuredOutput()) {
            headers.put("anthropic-beta", AnthropicWire.STRUCTURED_OUTPUTS_BETA);
        }
        if (model.apiKey() != null && !model.apiKey().isBlank()) {
            headers.put("x-api-key", model.apiKey());
        }
        var response =
                http.post(URI.create(model.baseUrl() + "/messages"), headers, wire.body(), deadlines.firstToken());
        return http.stream(response, request, sink, deadlines, new Reader()::read);
    }

    /** Reads one stream; keeps which content block is which tool call. */
    static final class Reader {

        private final Map<Integer, Integer> toolCalls = new HashMap<>();
        private int input;
        private int cacheRead;
        private int cacheWrite;
        private int output;

        List<StreamEvent> read(JsonNode event, SseUpstream.State state) throws UpstreamFailure {
            switch (event.path("type").asString("")) {
                case "message_start" -> {
                    var usage = event.path("message").path("usage");
                    input = usage.path("input_tokens").asInt(0);
                    cacheRead = usage.path("cache_read_input_tokens").asInt(0);
                    cacheWrite = usage.path("cache_creation_input_tokens").asInt(0);
                    output = usage.path("output_tokens").asInt(0);
                    state.usage = usage();
                }
                case "content_block_start" -> {
                    var block = event.path("content_block");
                    if (block.path("type").asString("").equals("tool_use")) {
                        int call = toolCalls.size();
                        toolCalls.put(event.path("index").asInt(), call);
                        return List.of(new StreamEvent.ToolCallDelta(
                                0,
                                call,
                                block.path("id").asString(""),
                                block.path("name").asString(""),
                                ""));
                    }
                }
                case "content_block_delta" -> {
                    var delta = event.path("delta");
                    switch (delta.path("type").asString("")) {
                        case "text_delta" -> {
                            var text = delta.path("text").asString("");
                            return text.isEmpty() ? List.of() : List.of(new StreamEvent.Text(0, text));
                        }
                        case "input_json_delta" -> {
                            var call = toolCalls.get(event.path("index").asInt());
                            var json = delta.path("partial_json").asString("");
                            if (call != null && !json.isEmpty()) {
                                return List.of(new StreamEvent.ToolCallDelta(0, call, null, null, json));
                            }
                        }
                        default -> {} // thinking and signature deltas are not part of the answer
                    }
                }
                case "message_delta" -> {
                    var usage = event.path("usage");
                    output = usage.path("output_tokens").asInt(output);
                    if (usage.has("input_tokens")) {
                        input = usage.path("input_tokens").asInt(input);
                    }
                    state.usage = usage();
                    var reason = event.path("delta").path("stop_reason");
                    if (reason.isString()) {
                        state.finish = FinishReason.fromAnthropic(reason.asString());
                    }
                }
                case "message_stop" -> state.done = true;
                case "error" -> throw failure(event.path("error"));
                default -> {} // ping, content_block_stop
            }
            return List.of();
        }

        private TokenUsage usage() {
            return new TokenUsage(input + cacheRead + cacheWrite, output, cacheRead, cacheWrite, 0);
        }

        /** An error event: overloaded and API errors may pass on another try, a refused request not. */
        private static UpstreamFailure failure(JsonNode error) {
            var type = error.path("type").asString("unknown");
            var message = "the upstream sent an error event: " + type + ": "
                    + error.path("message").asString("");
            var kind = switch (type) {
                case "rate_limit_error" -> UpstreamFailure.Kind.RATE_LIMITED;
                case "invalid_request_error", "not_found_error", "request_too_large" -> UpstreamFailure.Kind.REJECTED;
                case "authentication_error", "permission_error" -> UpstreamFailure.Kind.UNAUTHORIZED;
                default -> UpstreamFailure.Kind.SERVER_ERROR; // overloaded_error, api_error
            };
            return new UpstreamFailure(kind, message, null);
        }
    }
}
