package dev.colloquy.llm.openai;

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
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an OpenAI {@code /v1/chat/completions} body into a {@link ChatRequest}: every field typed
 * where Colloquy models it, the rest kept as sent in {@link ModelOptions#others()}, and the body
 * itself kept for OpenAI-compatible upstreams. A field of the wrong type answers 400 naming it, as
 * OpenAI's API does.
 */
public final class OpenAiRequests {

    /** Fields read here; all others are forwarded as sent. */
    private static final Set<String> MODELLED = Set.of(
            "model",
            "messages",
            "stream",
            "stream_options",
            "temperature",
            "max_tokens",
            "max_completion_tokens",
            "top_p",
            "stop",
            "seed",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "n");

    private OpenAiRequests() {}

    static ChatRequest read(CurrentUser caller, ObjectNode body, CachePolicy cache) {
        var model = body.get("model");
        if (model != null && !model.isNull() && !model.isString()) {
            throw new InvalidRequest("'model' must be a string", "model");
        }
        return new ChatRequest(
                caller.id(),
                model == null || model.isNull() ? null : model.asString(),
                messages(body.get("messages")),
                options(body),
                null,
                Set.of(),
                cache,
                caller.apiKey(),
                List.of(),
                body);
    }

    static boolean streamed(ObjectNode body) {
        var stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw new InvalidRequest("'stream' must be a boolean", "stream");
        }
        return stream != null && stream.asBoolean(false);
    }

    static boolean includeUsage(ObjectNode body) {
        return body.path("stream_options").path("include_usage").asBoolean(false);
    }

    private static List<LlmMessage> messages(@Nullable JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new InvalidRequest("'messages' must hold at least one message", "messages");
        }
        if (messages.size() > ChatRequest.MAX_MESSAGES) {
            throw new InvalidRequest("'messages' holds at most " + ChatRequest.MAX_MESSAGES + " messages", "messages");
        }
        var read = new ArrayList<LlmMessage>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            read.add(message(messages.get(i), "messages[" + i + "]"));
        }
        return read;
    }

    private static LlmMessage message(JsonNode message, String at) {
        if (!message.isObject()) {
            throw new InvalidRequest(at + " must be an object", at);
        }
        var role = message.path("role").asString("");
        return switch (role) {
            case "system", "developer" -> new LlmMessage.Instruction(role, text(message.get("content"), at));
            case "user" -> new LlmMessage.User(parts(message.get("content"), at));
            case "assistant" -> assistant(message, at);
            case "tool" -> {
                var id = message.get("tool_call_id");
                if (id == null || !id.isString() || id.asString().isEmpty()) {
                    throw new InvalidRequest(at + ": a tool message needs its 'tool_call_id'", at + ".tool_call_id");
                }
                yield new LlmMessage.ToolResult(id.asString(), text(message.get("content"), at));
            }
            default ->
                throw new InvalidRequest(
                        at + ": role '" + role + "' is not supported; use system, developer, user, assistant or tool",
                        at + ".role");
        };
    }

    private static LlmMessage assistant(JsonNode message, String at) {
        var content = message.get("content");
        var text = content == null || content.isNull() ? "" : text(content, at);
        var calls = new ArrayList<ToolCall>();
        var toolCalls = message.get("tool_calls");
        if (toolCalls != null && !toolCalls.isNull()) {
            if (!toolCalls.isArray()) {
                throw new InvalidRequest(at + ".tool_calls must be an array", at + ".tool_calls");
            }
            for (int i = 0; i < toolCalls.size(); i++) {
                var call = toolCalls.get(i);
                var function = call.path("function");
                var where = at + ".tool_calls[" + i + "]";
                if (!call.path("id").isString() || !function.path("name").isString()) {
                    throw new InvalidRequest(where + " needs an 'id' and a 'function.name'", where);
                }
                calls.add(new ToolCall(
                        call.path("id").asString(),
                        function.path("name").asString(),
                        function.path("arguments").asString("")));
            }
        }
        return new LlmMessage.Assistant(text, calls);
    }

    /** A string, or parts of which only text (and refusal) parts are allowed. */
    private static String text(@Nullable JsonNode content, String at) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return checked(content.asString(), at);
        }
        if (!content.isArray()) {
            throw new InvalidRequest(at + ".content must be a string or an array of parts", at + ".content");
        }
        var text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            var part = content.get(i);
            var type = part.path("type").asString("");
            if (!type.equals("text") && !type.equals("refusal")) {
                throw new InvalidRequest(
                        at + ".content[" + i + "]: a part of type '" + type + "' is not allowed in this role",
                        at + ".content[" + i + "].type");
            }
            text.append(part.path(type).asString(""));
        }
        return checked(text.toString(), at);
    }

    private static List<ContentPart> parts(@Nullable JsonNode content, String at) {
        if (content == null || content.isNull()) {
            throw new InvalidRequest(at + ": a user message needs its 'content'", at + ".content");
        }
        if (content.isString()) {
            return List.of(new ContentPart.Text(checked(content.asString(), at)));
        }
        if (!content.isArray()) {
            throw new InvalidRequest(at + ".content must be a string or an array of parts", at + ".content");
        }
        var parts = new ArrayList<ContentPart>();
        for (int i = 0; i < content.size(); i++) {
            var part = content.get(i);
            var where = at + ".content[" + i + "]";
            parts.add(
                    switch (part.path("type").asString("")) {
                        case "text" ->
                            new ContentPart.Text(checked(part.path("text").asString(""), at));
                        case "image_url" -> {
                            var image = part.path("image_url");
                            var url = image.isString()
                                    ? image.asString()
                                    : image.path("url").asString("");
                            if (!url.startsWith("http://") && !url.startsWith("https://") && !url.startsWith("data:")) {
                                throw new InvalidRequest(where + ": an image URL is http(s) or a data URL", where);
                            }
                            var detail = image.path("detail");
                            yield new ContentPart.Image(url, detail.isString() ? detail.asString() : null);
                        }
                        case "input_audio" ->
                            new ContentPart.Audio(
                                    part.path("input_audio").path("data").asString(""),
                                    part.path("input_audio").path("format").asString(""));
                        case "file" -> {
                            var file = part.path("file");
                            yield new ContentPart.File(
                                    nullableString(file.get("file_id")),
                                    nullableString(file.get("filename")),
                                    nullableString(file.get("file_data")));
                        }
                        default ->
                            throw new InvalidRequest(
                                    where + ": a part of type '"
                                            + part.path("type").asString("") + "' is not supported",
                                    where + ".type");
                    });
        }
        return parts;
    }

    private static ModelOptions options(ObjectNode body) {
        var others = new LinkedHashMap<String, JsonNode>();
        for (var field : body.properties()) {
            if (!MODELLED.contains(field.getKey()) && !field.getValue().isNull()) {
                others.put(field.getKey(), field.getValue());
            }
        }
        var temperature = number(body, "temperature", 0, 2);
        var topP = number(body, "top_p", 0, 1);
        var maxTokens = positive(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = positive(body, "max_tokens");
        }
        var seed = body.get("seed");
        if (seed != null && !seed.isNull() && !seed.isIntegralNumber()) {
            throw new InvalidRequest("'seed' must be an integer", "seed");
        }
        var n = positive(body, "n");
        var parallel = body.get("parallel_tool_calls");
        if (parallel != null && !parallel.isNull() && !parallel.isBoolean()) {
            throw new InvalidRequest("'parallel_tool_calls' must be a boolean", "parallel_tool_calls");
        }
        return new ModelOptions(
                temperature,
                maxTokens,
                topP,
                stop(body.get("stop")),
                seed == null || seed.isNull() ? null : seed.asLong(),
                tools(body.get("tools")),
                toolChoice(body.get("tool_choice")),
                parallel == null || parallel.isNull() ? null : parallel.asBoolean(),
                responseFormat(body.get("response_format")),
                n == null ? 1 : n,
                others);
    }

    private static @Nullable Double number(ObjectNode body, String field, double min, double max) {
        var value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw new InvalidRequest(
                    "'" + field + "' must be a number between " + (int) min + " and " + (int) max, field);
        }
        return value.asDouble();
    }

    private static @Nullable Integer positive(ObjectNode body, String field) {
        var value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > Integer.MAX_VALUE) {
            throw new InvalidRequest("'" + field + "' must be a positive integer", field);
        }
        return value.asInt();
    }

    private static List<String> stop(@Nullable JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isString()) {
            return List.of(stop.asString());
        }
        var sequences = new ArrayList<String>();
        if (stop.isArray()) {
            for (var sequence : stop) {
                if (!sequence.isString()) {
                    sequences = null;
                    break;
                }
                sequences.add(sequence.asString());
            }
        }
        if (sequences == null || !stop.isArray()) {
            throw new InvalidRequest("'stop' must be a string or an array of strings", "stop");
        }
        return sequences;
    }

    private static List<ToolSpec> tools(@Nullable JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return List.of();
        }
        if (!tools.isArray()) {
            throw new InvalidRequest("'tools' must be an array", "tools");
        }
        var specs = new ArrayList<ToolSpec>();
        for (int i = 0; i < tools.size(); i++) {
            var tool = tools.get(i);
            var function = tool.path("function");
            if (!tool.path("type").asString("").equals("function")) {
                throw new InvalidRequest(
                        "tools[" + i + "]: only tools of type 'function' are supported", "tools[" + i + "].type");
            }
            if (!function.path("name").isString()) {
                throw new InvalidRequest("tools[" + i + "] needs a 'function.name'", "tools[" + i + "]");
            }
            var description = function.get("description");
            var strict = function.get("strict");
            var parameters = function.get("parameters");
            specs.add(new ToolSpec(
                    function.path("name").asString(),
                    description != null && description.isString() ? description.asString() : null,
                    parameters == null || parameters.isNull() ? EMPTY_SCHEMA : parameters,
                    strict != null && strict.isBoolean() ? strict.asBoolean() : null));
        }
        return specs;
    }

    private static final JsonNode EMPTY_SCHEMA = tools.jackson.databind.node.JsonNodeFactory.instance
            .objectNode()
            .put("type", "object")
            .set("properties", tools.jackson.databind.node.JsonNodeFactory.instance.objectNode());

    private static @Nullable ToolChoice toolChoice(@Nullable JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        if (choice.isString()) {
            return switch (choice.asString()) {
                case "auto" -> new ToolChoice(ToolChoice.Mode.AUTO, null);
                case "none" -> new ToolChoice(ToolChoice.Mode.NONE, null);
                case "required" -> new ToolChoice(ToolChoice.Mode.REQUIRED, null);
                default ->
                    throw new InvalidRequest(
                            "'tool_choice' is auto, none, required or a named function", "tool_choice");
            };
        }
        var name = choice.path("function").path("name");
        if (!choice.path("type").asString("").equals("function") || !name.isString()) {
            throw new InvalidRequest("'tool_choice' is auto, none, required or a named function", "tool_choice");
        }
        return new ToolChoice(ToolChoice.Mode.NAMED, name.asString());
    }

    private static @Nullable ResponseFormat responseFormat(@Nullable JsonNode format) {
        if (format == null || format.isNull()) {
            return null;
        }
        var type = format.path("type").asString("");
        return switch (type) {
            case "text", "json_object" -> new ResponseFormat(type, null, null, null);
            case "json_schema" -> {
                var schema = format.path("json_schema");
                if (!schema.path("name").isString()) {
                    throw new InvalidRequest(
                            "'response_format.json_schema' needs a 'name'", "response_format.json_schema.name");
                }
                var strict = schema.get("strict");
                yield new ResponseFormat(
                        type,
                        schema.path("name").asString(),
                        schema.get("schema"),
                        strict != null && strict.isBoolean() ? strict.asBoolean() : null);
            }
            default ->
                throw new InvalidRequest(
                        "'response_format.type' is text, json_object or json_schema", "response_format.type");
        };
    }

    private static String checked(String text, String at) {
        if (text.indexOf('\0') >= 0) {
            throw new InvalidRequest("message content must not contain NUL characters", at);
        }
        return text;
    }

    private static @Nullable String nullableString(@Nullable JsonNode node) {
        return node != null && node.isString() ? node.asString() : null;
    }
}
