package dev.colloquy.llm.anthropic;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.TokenUsage;
import java.io.IOException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An answer on Anthropic's wire, from any provider's events: streamed as {@code message_start},
 * content blocks ({@code text_delta}s, {@code tool_use} with {@code input_json_delta}s), {@code
 * message_delta} with the stop reason and usage, and {@code message_stop}; or, whole, as one Message.
 */
final class AnthropicAnswer implements AnswerSink {

    /** Where the events go: a name and its data. */
    @FunctionalInterface
    interface Out {
        void event(String name, JsonNode data) throws IOException;

        /** Pushes the events written so far to the client. */
        default void flush() throws IOException {}
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Out out;
    private final String id;
    private final String model;
    private final ArrayNode content = NODES.arrayNode();
    private boolean started;
    private int block = -1;
    private String blockType = "";
    private int toolCall = -1;
    /** The open block's text or tool arguments so far, written into it when it closes. */
    private final StringBuilder pending = new StringBuilder();

    AnthropicAnswer(Out out, String id, String model) {
        this.out = out;
        this.id = id;
        this.model = model;
    }

    boolean started() {
        return started;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void accept(StreamEvent event) throws IOException {
        if (event.choice() != 0) {
            return; // one answer on this wire; OpenAI chunks are read by their events
        }
        start();
        switch (event) {
            case StreamEvent.Text text -> text(text.text());
            case StreamEvent.Refusal refusal -> text(refusal.text());
            case StreamEvent.ToolCallDelta call -> {
                if (call.index() != toolCall) {
                    toolCall = call.index();
                    open(
                            "tool_use",
                            NODES.objectNode()
                                    .put("type", "tool_use")
                                    .put("id", call.id() == null ? "" : call.id())
                                    .put("name", call.name() == null ? "" : call.name())
                                    .set("input", NODES.objectNode()));
                }
                if (!call.arguments().isEmpty()) {
                    pending.append(call.arguments());
                    delta(NODES.objectNode().put("type", "input_json_delta").put("partial_json", call.arguments()));
                }
            }
            case StreamEvent.OpenAiChunk ignored -> {}
        }
    }

    /** Closes the answer: its stop reason and usage. */
    void finish(Completion completion) throws IOException {
        start();
        close();
        var usage = usage(completion.usage());
        out.event(
                "message_delta",
                NODES.objectNode()
                        .put("type", "message_delta")
                        .<ObjectNode>set(
                                "delta",
                                NODES.objectNode()
                                        .put("stop_reason", completion.finish().anthropic())
                                        .putNull("stop_sequence"))
                        .set("usage", usage));
        out.event("message_stop", NODES.objectNode().put("type", "message_stop"));
    }

    /** The whole Message, once {@link #finish} has run. */
    ObjectNode message(Completion completion) {
        var message = envelope();
        message.set("content", content);
        message.put("stop_reason", completion.finish().anthropic());
        message.putNull("stop_sequence");
        message.set("usage", usage(completion.usage()));
        return message;
    }

    private void text(String text) throws IOException {
        if (!blockType.equals("text")) {
            open("text", NODES.objectNode().put("type", "text").put("text", ""));
        }
        pending.append(text);
        delta(NODES.objectNode().put("type", "text_delta").put("text", text));
    }

    private void open(String type, ObjectNode start) throws IOException {
        close();
        block++;
        blockType = type;
        out.event(
                "content_block_start",
                NODES.objectNode()
                        .put("type", "content_block_start")
                        .put("index", block)
                        .set("content_block", start.deepCopy()));
        content.add(start);
    }

    private void close() throws IOException {
        if (block < 0 || blockType.isEmpty()) {
            return;
        }
        var whole = (ObjectNode) content.get(block);
        if (blockType.equals("tool_use")) {
            whole.set("input", input(pending.toString()));
        } else {
            whole.put("text", pending.toString());
        }
        pending.setLength(0);
        out.event(
                "content_block_stop",
                NODES.objectNode().put("type", "content_block_stop").put("index", block));
        blockType = "";
    }

    private void delta(ObjectNode delta) throws IOException {
        out.event(
                "content_block_delta",
                NODES.objectNode()
                        .put("type", "content_block_delta")
                        .put("index", block)
                        .set("delta", delta));
    }

    private void start() throws IOException {
        if (started) {
            return;
        }
        started = true;
        var message = envelope();
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.set("usage", NODES.objectNode().put("input_tokens", 0).put("output_tokens", 0));
        out.event(
                "message_start", NODES.objectNode().put("type", "message_start").set("message", message));
    }

    private ObjectNode envelope() {
        return NODES.objectNode()
                .put("id", id)
                .put("type", "message")
                .put("role", "assistant")
                .put("model", model);
    }

    /** Anthropic counts prompt-cache reads and writes apart from {@code input_tokens}. */
    private static ObjectNode usage(TokenUsage usage) {
        return NODES.objectNode()
                .put("input_tokens", Math.max(0, usage.input() - usage.cachedInput() - usage.cacheWrite()))
                .put("output_tokens", usage.output())
                .put("cache_read_input_tokens", usage.cachedInput())
                .put("cache_creation_input_tokens", usage.cacheWrite());
    }

    private static JsonNode input(String arguments) {
        if (arguments.isBlank()) {
            return NODES.objectNode();
        }
        try {
            var input = JSON.readTree(arguments);
            return input.isObject() ? input : NODES.objectNode().set("value", input);
        } catch (JacksonException notJson) {
            return NODES.objectNode().put("_unparsed_arguments", arguments);
        }
    }
}
