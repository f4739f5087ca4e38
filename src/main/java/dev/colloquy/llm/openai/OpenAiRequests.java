package dev.colloquy.llm.openai;

import dev.colloquy.llm.CachePolicy;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.ContentPart;
import dev.colloquy.llm.InvalidRequest;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.ModelOptions;
import dev.colloquy.llm.ToolCall;
import dev.colloquy.user.CurrentUser;
import java.util.ArrayList;
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
                OpenAiOptions.read(body),
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
