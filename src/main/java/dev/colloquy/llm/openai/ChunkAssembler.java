package dev.colloquy.llm.openai;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Puts {@code chat.completion.chunk}s together into the {@code chat.completion} a client asked for
 * whole, the way OpenAI's SDKs do: every choice's content, refusal and tool calls (by index, the
 * arguments joined), logprobs appended, the finish reason, usage with its details, and the top-level
 * fields the upstream sent ({@code system_fingerprint}, {@code service_tier}, ...) kept.
 */
final class ChunkAssembler {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectNode completion = NODES.objectNode();
    private final Map<Integer, ObjectNode> choices = new TreeMap<>();
    private final Map<Integer, Map<Integer, ObjectNode>> toolCalls = new TreeMap<>();
    private final Map<ObjectNode, Map<String, StringBuilder>> joined = new IdentityHashMap<>();

    void add(JsonNode chunk) {
        for (var field : chunk.properties()) {
            switch (field.getKey()) {
                case "choices", "object", "obfuscation" -> {}
                case "usage" -> {
                    if (field.getValue().isObject()) {
                        completion.set("usage", field.getValue());
                    }
                }
                default -> completion.set(field.getKey(), field.getValue());
            }
        }
        for (var choice : chunk.path("choices")) {
            int index = choice.path("index").asInt(0);
            var whole = choices.computeIfAbsent(index, ChunkAssembler::newChoice);
            var message = (ObjectNode) whole.get("message");
            for (var field : choice.path("delta").properties()) {
                var value = field.getValue();
                switch (field.getKey()) {
                    case "role" -> message.set("role", value);
                    case "tool_calls" -> value.forEach(call -> toolCall(index, call));
                    default -> append(message, field.getKey(), value);
                }
            }
            var reason = choice.path("finish_reason");
            if (reason.isString()) {
                whole.put("finish_reason", reason.asString());
            }
            var logprobs = choice.get("logprobs");
            if (logprobs != null && logprobs.isObject()) {
                var kept = whole.get("logprobs") instanceof ObjectNode node ? node : whole.putObject("logprobs");
                for (var part : logprobs.properties()) {
                    if (part.getValue().isArray()) {
                        var list = kept.get(part.getKey()) instanceof ArrayNode array
                                ? array
                                : kept.putArray(part.getKey());
                        list.addAll((ArrayNode) part.getValue());
                    } else {
                        kept.set(part.getKey(), part.getValue());
                    }
                }
            }
        }
    }

    ObjectNode result() {
        joined.forEach((node, fields) -> fields.forEach((field, text) -> node.put(field, text.toString())));
        joined.clear();
        completion.put("object", "chat.completion");
        var list = NODES.arrayNode();
        for (var entry : choices.entrySet()) {
            var message = (ObjectNode) entry.getValue().get("message");
            var calls = toolCalls.get(entry.getKey());
            if (calls != null) {
                var array = message.putArray("tool_calls");
                calls.values().forEach(array::add);
            } else if (message.get("content").isNull()) {
                message.put("content", "");
            }
            list.add(entry.getValue());
        }
        completion.set("choices", list);
        return completion;
    }

    private void toolCall(int choice, JsonNode delta) {
        var calls = toolCalls.computeIfAbsent(choice, index -> new TreeMap<>());
        var call = calls.computeIfAbsent(delta.path("index").asInt(0), index -> {
            var node = NODES.objectNode();
            node.put("id", "")
                    .put("type", "function")
                    .putObject("function")
                    .put("name", "")
                    .put("arguments", "");
            return node;
        });
        for (var field : delta.properties()) {
            switch (field.getKey()) {
                case "index" -> {}
                case "function" -> {
                    var function = (ObjectNode) call.get("function");
                    for (var part : field.getValue().properties()) {
                        append(function, part.getKey(), part.getValue());
                    }
                }
                default -> call.set(field.getKey(), field.getValue());
            }
        }
    }

    /**
     * Strings are joined as they stream (in a builder, written into the node by {@link #result()}, so
     * a long answer costs no quadratic copying); anything else is taken as the newest value.
     */
    private void append(ObjectNode into, String field, JsonNode value) {
        var fields = joined.computeIfAbsent(into, node -> new HashMap<>());
        var text = fields.get(field);
        var had = into.get(field);
        if (value.isString() && (text != null || had != null && had.isString())) {
            if (text == null) {
                fields.put(field, new StringBuilder(had.asString()).append(value.asString()));
            } else {
                text.append(value.asString());
            }
        } else if (!value.isNull() || had == null) {
            fields.remove(field);
            into.set(field, value);
        }
    }

    private static ObjectNode newChoice(int index) {
        var choice = NODES.objectNode().put("index", index);
        choice.putObject("message").put("role", "assistant").putNull("content").putNull("refusal");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return choice;
    }
}
