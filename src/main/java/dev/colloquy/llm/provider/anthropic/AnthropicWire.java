package dev.colloquy.llm.provider.anthropic;

import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.ContentPart;
import dev.colloquy.llm.InvalidRequest;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.ModelOptions;
import dev.colloquy.llm.ToolCall;
import dev.colloquy.llm.ToolChoice;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request translated to Anthropic's Messages API: instructions to {@code system}; user turns,
 * assistant {@code tool_use} and {@code tool_result} blocks alternating (consecutive turns of one role,
 * such as several tool results, merged into one); images as {@code source} blocks (base64 for data
 * URLs, {@code url} for http(s): the gateway downloads nothing); tools with their whole schema, the
 * tool choice, stop sequences and, for models that take one, the answer's JSON schema. What the API
 * cannot express is left out and named in {@link #dropped()}.
 *
 * @param structuredOutput whether the body asks for Anthropic's structured outputs (a beta header)
 */
record AnthropicWire(ObjectNode body, List<String> dropped, boolean structuredOutput) {

    static final String STRUCTURED_OUTPUTS_BETA = "structured-outputs-2025-11-13";
    private static final int DEFAULT_MAX_TOKENS = 4_096;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static AnthropicWire of(LlmModel model, ChatRequest request) {
        var dropped = new ArrayList<String>();
        var body = NODES.objectNode();
        body.put("model", model.upstreamModel());
        var options = request.options();
        body.put(
                "max_tokens",
                options.maxTokens() != null
                        ? options.maxTokens()
                        : Math.min(DEFAULT_MAX_TOKENS, model.contextWindow() / 4));
        var system = new StringBuilder();
        var messages = NODES.arrayNode();
        for (int i = 0; i < request.messages().size(); i++) {
            var message = request.messages().get(i);
            if (message instanceof LlmMessage.Instruction instruction) {
                system.append(system.isEmpty() ? "" : "\n\n").append(instruction.text());
                continue;
            }
            if (messages.isEmpty() && message instanceof LlmMessage.Assistant) {
                continue; // the Messages API starts with the user
            }
            var role = message instanceof LlmMessage.Assistant ? "assistant" : "user";
            var blocks = blocks(message, "messages[" + i + "]", dropped);
            if (blocks.isEmpty()) {
                continue;
            }
            var last = messages.isEmpty() ? null : (ObjectNode) messages.get(messages.size() - 1);
            if (last != null && last.path("role").asString().equals(role)) {
                ((ArrayNode) last.get("content")).addAll(blocks);
            } else {
                messages.addObject().put("role", role).set("content", blocks);
            }
        }
        if (!system.isEmpty()) {
            body.put("system", system.toString());
        }
        body.set("messages", messages);
        body.put("stream", true);
        sampling(options, body, dropped);
        tools(model, options, body, dropped);
        boolean structured = responseFormat(model, options, body, dropped);
        for (var other : options.others().entrySet()) {
            if (other.getKey().equals("user") && other.getValue().isString()) {
                body.putObject("metadata").put("user_id", other.getValue().asString());
            } else if (other.getKey().equals("top_k") && other.getValue().isIntegralNumber()) {
                body.set("top_k", other.getValue()); // Anthropic's own, as an Anthropic client sent it
            } else {
                dropped.add(other.getKey());
            }
        }
        return new AnthropicWire(body, List.copyOf(dropped), structured);
    }

    private static void sampling(ModelOptions options, ObjectNode body, List<String> dropped) {
        if (options.temperature() != null) {
            if (options.temperature() > 1) {
                dropped.add("temperature"); // Anthropic's range is 0 to 1: never clamped silently
            } else {
                body.put("temperature", options.temperature());
            }
        }
        if (options.topP() != null) {
            body.put("top_p", options.topP());
        }
        if (!options.stop().isEmpty()) {
            var stops = body.putArray("stop_sequences");
            options.stop().forEach(stops::add);
        }
        if (options.seed() != null) {
            dropped.add("seed");
        }
        if (options.n() != 1) {
            dropped.add("n");
        }
    }

    private static void tools(LlmModel model, ModelOptions options, ObjectNode body, List<String> dropped) {
        if (!options.tools().isEmpty()) {
            var tools = body.putArray("tools");
            for (var tool : options.tools()) {
                var spec = tools.addObject().put("name", tool.name());
                if (tool.description() != null) {
                    spec.put("description", tool.description());
                }
                spec.set("input_schema", tool.parameters());
                if (Boolean.TRUE.equals(tool.strict())) {
                    if (model.structuredOutput()) {
                        spec.put("strict", true);
                    } else if (!dropped.contains("tools.function.strict")) {
                        dropped.add("tools.function.strict");
                    }
                }
            }
        }
        var choice = options.toolChoice();
        boolean noParallel = Boolean.FALSE.equals(options.parallelToolCalls());
        if (options.tools().isEmpty() || choice == null && !noParallel) {
            return; // tool_choice without tools means nothing, as on OpenAI's API
        }
        var node = body.putObject("tool_choice");
        switch (choice == null ? ToolChoice.Mode.AUTO : choice.mode()) {
            case AUTO -> node.put("type", "auto");
            case NONE -> node.put("type", "none");
            case REQUIRED -> node.put("type", "any");
            case NAMED -> node.put("type", "tool").put("name", choice.name());
        }
        if (noParallel && !node.path("type").asString().equals("none")) {
            node.put("disable_parallel_tool_use", true);
        }
    }

    private static boolean responseFormat(LlmModel model, ModelOptions options, ObjectNode body, List<String> dropped) {
        var format = options.responseFormat();
        if (format == null || format.isText()) {
            return false;
        }
        if (!format.isSchema() || !model.structuredOutput() || format.schema() == null) {
            dropped.add("response_format");
            return false;
        }
        body.putObject("output_format").put("type", "json_schema").set("schema", format.schema());
        return true;
    }

    private static ArrayNode blocks(LlmMessage message, String at, List<String> dropped) {
        var blocks = NODES.arrayNode();
        switch (message) {
            case LlmMessage.Instruction ignored -> {}
            case LlmMessage.ToolResult result ->
                blocks.addObject()
                        .put("type", "tool_result")
                        .put("tool_use_id", result.toolCallId())
                        .put("content", result.text());
            case LlmMessage.Assistant assistant -> {
                if (!assistant.text().isEmpty()) {
                    blocks.addObject().put("type", "text").put("text", assistant.text());
                }
                for (int i = 0; i < assistant.toolCalls().size(); i++) {
                    var call = assistant.toolCalls().get(i);
                    blocks.addObject()
                            .put("type", "tool_use")
                            .put("id", call.id())
                            .put("name", call.name())
                            .set("input", arguments(call, at + ".tool_calls[" + i + "]"));
                }
            }
            case LlmMessage.User user -> {
                for (int i = 0; i < user.parts().size(); i++) {
                    part(blocks, user.parts().get(i), at + ".content[" + i + "]", dropped);
                }
            }
        }
        return blocks;
    }

    private static void part(ArrayNode blocks, ContentPart part, String at, List<String> dropped) {
        switch (part) {
            case ContentPart.Text text -> {
                if (!text.text().isEmpty()) {
                    blocks.addObject().put("type", "text").put("text", text.text());
                }
            }
            case ContentPart.Image image -> {
                var source = blocks.addObject().put("type", "image").putObject("source");
                var data = image.dataUrl();
                if (data != null) {
                    source.put("type", "base64").put("media_type", data[0]).put("data", data[1]);
                } else if (image.url().startsWith("data:")) {
                    blocks.remove(blocks.size() - 1);
                    dropped.add(at + " (a data URL that is not base64)");
                } else {
                    source.put("type", "url").put("url", image.url());
                }
            }
            case ContentPart.File file -> {
                var data = file.dataUrl();
                if (data != null && data[0].equals("application/pdf")) {
                    blocks.addObject()
                            .put("type", "document")
                            .putObject("source")
                            .put("type", "base64")
                            .put("media_type", data[0])
                            .put("data", data[1]);
                } else {
                    dropped.add(at + " (file: Anthropic takes PDFs as base64 data URLs)");
                }
            }
            case ContentPart.Audio ignored -> dropped.add(at + " (input_audio)");
        }
    }

    /** A tool call's arguments as the JSON object Anthropic's {@code input} takes. */
    private static JsonNode arguments(ToolCall call, String at) {
        if (call.arguments().isBlank()) {
            return NODES.objectNode();
        }
        try {
            var input = JSON.readTree(call.arguments());
            if (input.isObject()) {
                return input;
            }
        } catch (JacksonException notJson) {
            // answered below
        }
        throw new InvalidRequest(at + ".function.arguments must be a JSON object", at + ".function.arguments");
    }
}
