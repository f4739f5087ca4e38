package dev.colloquy.llm.anthropic;

import dev.colloquy.llm.CachePolicy;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.ContentPart;
import dev.colloquy.llm.InvalidRequest;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.ModelOptions;
import dev.colloquy.llm.ResponseFormat;
import dev.colloquy.llm.ToolCall;
import dev.colloquy.llm.ToolChoice;
import dev.colloquy.llm.ToolSpec;
import dev.colloquy.user.CurrentUser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an Anthropic Messages API body ({@code POST /v1/messages}) into a {@link ChatRequest}, so any
 * configured model can serve it: {@code system} to an instruction, text, image and document blocks
 * to parts, {@code tool_use} blocks to tool calls, {@code tool_result} blocks to tool results, tools
 * and the tool choice, stop sequences, and {@code metadata.user_id}. Fields the request model has no
 * place for are kept by name and refused with 400 by targets that cannot honour them.
 */
final class AnthropicRequests {

    private static final Set<String> MODELLED = Set.of(
            "model",
            "messages",
            "system",
            "max_tokens",
            "stream",
            "temperature",
            "top_p",
            "stop_sequences",
            "tools",
            "tool_choice",
            "metadata",
            "output_format");

    private AnthropicRequests() {}

    static boolean streamed(ObjectNode body) {
        return body.path("stream").asBoolean(false);
    }

    static ChatRequest read(CurrentUser caller, ObjectNode body, CachePolicy cache) {
        var model = body.get("model");
        if (model == null || !model.isString() || model.asString().isBlank()) {
            throw invalid("'model' is required", "model");
        }
        var maxTokens = body.get("max_tokens");
        if (maxTokens == null
                || !maxTokens.isIntegralNumber()
                || maxTokens.asLong() < 1
                || maxTokens.asLong() > Integer.MAX_VALUE) {
            throw invalid("'max_tokens' is required: a positive integer", "max_tokens");
        }
        var messages = new ArrayList<LlmMessage>();
        var system = body.get("system");
        if (system != null && !system.isNull()) {
            messages.add(new LlmMessage.Instruction("system", text(system, "system")));
        }
        var turns = body.get("messages");
        if (turns == null || !turns.isArray() || turns.isEmpty()) {
            throw invalid("'messages' must hold at least one message", "messages");
        }
        if (turns.size() > ChatRequest.MAX_MESSAGES) {
            throw invalid("'messages' holds at most " + ChatRequest.MAX_MESSAGES + " messages", "messages");
        }
        for (int i = 0; i < turns.size(); i++) {
            turn(turns.get(i), "messages[" + i + "]", messages);
        }
        return new ChatRequest(
                caller.id(),
                model.asString(),
                messages,
                options(body, maxTokens.asInt()),
                null,
                Set.of(),
                cache,
                caller.apiKey(),
                List.of(),
                null);
    }

    /** One turn; a user turn of tool results and text becomes the results, then the text. */
    private static void turn(JsonNode turn, String at, List<LlmMessage> into) {
        var role = turn.path("role").asString("");
        var content = turn.get("content");
        if (content == null || !(content.isString() || content.isArray())) {
            throw invalid(at + ".content must be a string or an array of blocks", at + ".content");
        }
        if (role.equals("assistant")) {
            var text = new StringBuilder();
            var calls = new ArrayList<ToolCall>();
            for (var block : blocks(content)) {
                switch (block.path("type").asString("")) {
                    case "text" -> text.append(block.path("text").asString(""));
                    case "tool_use" ->
                        calls.add(new ToolCall(
                                block.path("id").asString(""),
                                block.path("name").asString(""),
                                block.path("input").isObject()
                                        ? block.path("input").toString()
                                        : "{}"));
                    case "thinking", "redacted_thinking" -> {} // earlier reasoning is not resent upstream
                    default -> throw unsupportedBlock(block, at);
                }
            }
            into.add(new LlmMessage.Assistant(text.toString(), calls));
            return;
        }
        if (!role.equals("user")) {
            throw invalid(at + ": role is user or assistant", at + ".role");
        }
        var parts = new ArrayList<ContentPart>();
        for (var block : blocks(content)) {
            switch (block.path("type").asString("")) {
                case "text" ->
                    parts.add(new ContentPart.Text(checked(block.path("text").asString(""), at)));
                case "image" -> parts.add(new ContentPart.Image(url(block.path("source"), at), null));
                case "document" -> parts.add(new ContentPart.File(null, null, url(block.path("source"), at)));
                case "tool_result" ->
                    into.add(new LlmMessage.ToolResult(
                            block.path("tool_use_id").asString(""), text(block.path("content"), at + ".content")));
                default -> throw unsupportedBlock(block, at);
            }
        }
        if (!parts.isEmpty()) {
            into.add(new LlmMessage.User(parts));
        }
    }

    private static Iterable<JsonNode> blocks(JsonNode content) {
        if (content.isString()) {
            return List.of(tools.jackson.databind.node.JsonNodeFactory.instance
                    .objectNode()
                    .put("type", "text")
                    .put("text", content.asString()));
        }
        return content;
    }

    /** An image or document source as a URL: base64 as a data URL, a URL as itself. */
    private static String url(JsonNode source, String at) {
        return switch (source.path("type").asString("")) {
            case "base64" ->
                "data:" + source.path("media_type").asString("") + ";base64,"
                        + source.path("data").asString("");
            case "url" -> source.path("url").asString("");
            default -> throw invalid(at + ": a source is base64 or url", at + ".source.type");
        };
    }

    private static String text(JsonNode content, String at) {
        if (content.isString()) {
            return checked(content.asString(), at);
        }
        var text = new StringBuilder();
        for (var block : content) {
            if (!block.path("type").asString("").equals("text")) {
                throw invalid(at + ": only text blocks are allowed here", at);
            }
            text.append(block.path("text").asString(""));
        }
        return checked(text.toString(), at);
    }

    private static ModelOptions options(ObjectNode body, int maxTokens) {
        var others = new LinkedHashMap<String, JsonNode>();
        for (var field : body.properties()) {
            if (!MODELLED.contains(field.getKey()) && !field.getValue().isNull()) {
                others.put(field.getKey(), field.getValue());
            }
        }
        var userId = body.path("metadata").path("user_id");
        if (userId.isString()) {
            others.put("user", userId);
        }
        var stops = new ArrayList<String>();
        body.path("stop_sequences").forEach(stop -> stops.add(stop.asString("")));
        var tools = new ArrayList<ToolSpec>();
        for (var tool : body.path("tools")) {
            if (!tool.path("name").isString()
                    || tool.has("type") && !tool.path("type").asString().equals("custom")) {
                throw invalid("only client tools with a name and an input_schema are supported", "tools");
            }
            tools.add(new ToolSpec(
                    tool.path("name").asString(),
                    tool.path("description").isString()
                            ? tool.path("description").asString()
                            : null,
                    tool.path("input_schema"),
                    tool.path("strict").isBoolean() ? tool.path("strict").asBoolean() : null));
        }
        var choice = body.path("tool_choice");
        ToolChoice toolChoice = null;
        Boolean parallel = null;
        if (choice.isObject()) {
            toolChoice = switch (choice.path("type").asString("")) {
                case "auto" -> new ToolChoice(ToolChoice.Mode.AUTO, null);
                case "any" -> new ToolChoice(ToolChoice.Mode.REQUIRED, null);
                case "none" -> new ToolChoice(ToolChoice.Mode.NONE, null);
                case "tool" ->
                    new ToolChoice(ToolChoice.Mode.NAMED, choice.path("name").asString(""));
                default -> throw invalid("'tool_choice.type' is auto, any, tool or none", "tool_choice");
            };
            if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
                parallel = false;
            }
        }
        var format = body.path("output_format");
        var responseFormat =
                format.isObject() && format.path("type").asString("").equals("json_schema")
                        ? new ResponseFormat("json_schema", "output", format.get("schema"), true)
                        : null;
        var temperature = body.path("temperature");
        var topP = body.path("top_p");
        return new ModelOptions(
                temperature.isNumber() ? checkedRange(temperature.asDouble(), "temperature") : null,
                maxTokens,
                topP.isNumber() ? checkedRange(topP.asDouble(), "top_p") : null,
                stops,
                null,
                tools,
                toolChoice,
                parallel,
                responseFormat,
                1,
                others);
    }

    private static double checkedRange(double value, String field) {
        if (value < 0 || value > 1) {
            throw invalid("'" + field + "' must be between 0 and 1", field);
        }
        return value;
    }

    private static String checked(String text, String at) {
        if (text.indexOf('\0') >= 0) {
            throw invalid("message content must not contain NUL characters", at);
        }
        return text;
    }

    private static InvalidRequest unsupportedBlock(JsonNode block, String at) {
        return invalid(at + ": a block of type '" + block.path("type").asString("") + "' is not supported", at);
    }

    private static InvalidRequest invalid(String detail, String param) {
        return new InvalidRequest(detail, param);
    }
}
