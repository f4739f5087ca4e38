package dev.colloquy.llm.provider.openai;

import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.ContentPart;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.TokenUsage;
import dev.colloquy.llm.provider.SseUpstream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI chat completions wire, upstream side: the body an OpenAI-compatible upstream gets, and
 * the events read from its {@code chat.completion.chunk}s.
 */
public final class OpenAiWire {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OpenAiWire() {}

    /**
     * The body for the upstream: the client's own body when it sent one, with only {@code model}
     * rewritten and the stream asked for with usage (the rest of {@code stream_options} kept);
     * otherwise the request rendered from its typed parts.
     */
    static ObjectNode upstreamBody(LlmModel model, ChatRequest request) {
        var body = request.openAiBody() != null ? request.openAiBody().deepCopy() : render(request);
        body.put("model", model.upstreamModel());
        body.put("stream", true);
        var streamOptions =
                body.get("stream_options") instanceof ObjectNode given ? given : body.putObject("stream_options");
        streamOptions.put("include_usage", true);
        if (request.openAiBody() == null && request.maxTokens() != null) {
            body.put("max_tokens", request.maxTokens());
        }
        return body;
    }

    /** The request in OpenAI's shape, from its typed parts (calls that did not come in that shape). */
    public static ObjectNode render(ChatRequest request) {
        var body = NODES.objectNode();
        var messages = body.putArray("messages");
        request.messages().forEach(message -> messages.add(message(message)));
        var options = request.options();
        if (options.temperature() != null) {
            body.put("temperature", options.temperature());
        }
        if (options.topP() != null) {
            body.put("top_p", options.topP());
        }
        if (!options.stop().isEmpty()) {
            var stop = body.putArray("stop");
            options.stop().forEach(stop::add);
        }
        if (options.seed() != null) {
            body.put("seed", options.seed());
        }
        if (options.n() != 1) {
            body.put("n", options.n());
        }
        if (!options.tools().isEmpty()) {
            var tools = body.putArray("tools");
            for (var tool : options.tools()) {
                var function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", tool.name());
                if (tool.description() != null) {
                    function.put("description", tool.description());
                }
                function.set("parameters", tool.parameters());
                if (tool.strict() != null) {
                    function.put("strict", tool.strict());
                }
            }
        }
        if (options.toolChoice() != null) {
            var choice = options.toolChoice();
            switch (choice.mode()) {
                case AUTO -> body.put("tool_choice", "auto");
                case NONE -> body.put("tool_choice", "none");
                case REQUIRED -> body.put("tool_choice", "required");
                case NAMED ->
                    body.putObject("tool_choice")
                            .put("type", "function")
                            .putObject("function")
                            .put("name", choice.name());
            }
        }
        if (options.parallelToolCalls() != null) {
            body.put("parallel_tool_calls", options.parallelToolCalls());
        }
        if (options.responseFormat() != null) {
            var format = options.responseFormat();
            var node = body.putObject("response_format").put("type", format.type());
            if (format.isSchema()) {
                var schema = node.putObject("json_schema").put("name", format.name());
                if (format.schema() != null) {
                    schema.set("schema", format.schema());
                }
                if (format.strict() != null) {
                    schema.put("strict", format.strict());
                }
            }
        }
        options.others().forEach(body::set);
        return body;
    }

    public static ObjectNode message(LlmMessage message) {
        var node = NODES.objectNode().put("role", message.role());
        switch (message) {
            case LlmMessage.Instruction instruction -> node.put("content", instruction.text());
            case LlmMessage.ToolResult result ->
                node.put("tool_call_id", result.toolCallId()).put("content", result.text());
            case LlmMessage.Assistant assistant -> {
                if (assistant.toolCalls().isEmpty() || !assistant.text().isEmpty()) {
                    node.put("content", assistant.text());
                } else {
                    node.putNull("content");
                }
                if (!assistant.toolCalls().isEmpty()) {
                    var calls = node.putArray("tool_calls");
                    for (var call : assistant.toolCalls()) {
                        calls.addObject()
                                .put("id", call.id())
                                .put("type", "function")
                                .putObject("function")
                                .put("name", call.name())
                                .put("arguments", call.arguments());
                    }
                }
            }
            case LlmMessage.User user -> {
                if (!user.hasAttachments()) {
                    node.put("content", user.text());
                } else {
                    parts(node.putArray("content"), user.parts());
                }
            }
        }
        return node;
    }

    private static void parts(ArrayNode content, List<ContentPart> parts) {
        for (var part : parts) {
            switch (part) {
                case ContentPart.Text text ->
                    content.addObject().put("type", "text").put("text", text.text());
                case ContentPart.Image image -> {
                    var url = content.addObject().put("type", "image_url").putObject("image_url");
                    url.put("url", image.url());
                    if (image.detail() != null) {
                        url.put("detail", image.detail());
                    }
                }
                case ContentPart.Audio audio ->
                    content.addObject()
                            .put("type", "input_audio")
                            .putObject("input_audio")
                            .put("data", audio.data())
                            .put("format", audio.format());
                case ContentPart.File file -> {
                    var node = content.addObject().put("type", "file").putObject("file");
                    if (file.fileId() != null) {
                        node.put("file_id", file.fileId());
                    }
                    if (file.filename() != null) {
                        node.put("filename", file.filename());
                    }
                    if (file.fileData() != null) {
                        node.put("file_data", file.fileData());
                    }
                }
            }
        }
    }

    /** The events of one chunk, after the chunk itself; notes usage and the finish reason. */
    static List<StreamEvent> read(JsonNode chunk, SseUpstream.State state) {
        var events = new ArrayList<StreamEvent>(3);
        events.add(new StreamEvent.OpenAiChunk(chunk));
        var usage = chunk.get("usage");
        if (usage != null && usage.isObject()) {
            state.usage = new TokenUsage(
                    Math.max(0, usage.path("prompt_tokens").asInt(0)),
                    Math.max(0, usage.path("completion_tokens").asInt(0)),
                    Math.max(
                            0,
                            usage.path("prompt_tokens_details")
                                    .path("cached_tokens")
                                    .asInt(0)),
                    0,
                    Math.max(
                            0,
                            usage.path("completion_tokens_details")
                                    .path("reasoning_tokens")
                                    .asInt(0)));
        }
        for (var choice : chunk.path("choices")) {
            int index = choice.path("index").asInt(0);
            var reason = choice.path("finish_reason");
            if (reason.isString() && index == 0) {
                state.finish = FinishReason.fromOpenAi(reason.asString());
            }
            var delta = choice.path("delta");
            var content = delta.path("content");
            if (content.isString() && !content.asString().isEmpty()) {
                events.add(new StreamEvent.Text(index, content.asString()));
            }
            var refusal = delta.path("refusal");
            if (refusal.isString() && !refusal.asString().isEmpty()) {
                events.add(new StreamEvent.Refusal(index, refusal.asString()));
            }
            for (var call : delta.path("tool_calls")) {
                var function = call.path("function");
                events.add(new StreamEvent.ToolCallDelta(
                        index,
                        call.path("index").asInt(0),
                        call.path("id").isString() ? call.path("id").asString() : null,
                        function.path("name").isString() ? function.path("name").asString() : null,
                        function.path("arguments").asString("")));
            }
        }
        return events;
    }
}
