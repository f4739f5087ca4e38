package dev.colloquy.llm.openai;

import dev.colloquy.llm.InvalidRequest;
import dev.colloquy.llm.ModelOptions;
import dev.colloquy.llm.ResponseFormat;
import dev.colloquy.llm.ToolChoice;
import dev.colloquy.llm.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the parameters of an OpenAI chat completions body into {@link ModelOptions}: those Colloquy
 * models typed and checked (a wrong type answers 400 naming the field), every other field kept as
 * sent for the upstream.
 */
final class OpenAiOptions {

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

    private OpenAiOptions() {}

    static ModelOptions read(ObjectNode body) {
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
}
