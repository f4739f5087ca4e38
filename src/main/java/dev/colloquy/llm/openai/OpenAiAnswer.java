package dev.colloquy.llm.openai;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.TokenUsage;
import java.io.IOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An answer on the OpenAI wire, as {@code chat.completion.chunk}s: an OpenAI-compatible upstream's
 * chunks pass through as they came (its usage chunk only if the client asked for usage); events of
 * any other provider or of the response cache are rendered into chunks of the same shape. The
 * chunks go to the client as a stream, or to a {@link ChunkAssembler} for a whole answer.
 */
final class OpenAiAnswer implements AnswerSink {

    /** Where the chunks go. */
    @FunctionalInterface
    interface Out {
        void chunk(JsonNode chunk) throws IOException;

        /** Pushes the chunks written so far to the client. */
        default void flush() throws IOException {}
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Out out;
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private boolean passthrough;
    private boolean started;
    private boolean usageSent;

    OpenAiAnswer(Out out, String id, long created, String model, boolean includeUsage) {
        this.out = out;
        this.id = id;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    /** Whether anything reached the client yet. */
    boolean started() {
        return started;
    }

    @Override
    public void accept(StreamEvent event) throws IOException {
        if (event instanceof StreamEvent.OpenAiChunk upstream) {
            passthrough = true;
            var usage = upstream.chunk().get("usage");
            boolean carriesUsage = usage != null && usage.isObject();
            if (carriesUsage && upstream.chunk().path("choices").isEmpty() && !includeUsage) {
                return; // Colloquy asked for it to bill the call; the client did not
            }
            usageSent |= carriesUsage;
            started = true;
            out.chunk(upstream.chunk());
            return;
        }
        if (passthrough) {
            return; // already in the chunk it was read from
        }
        startIfNeeded();
        var delta = NODES.objectNode();
        switch (event) {
            case StreamEvent.Text text -> delta.put("content", text.text());
            case StreamEvent.Refusal refusal -> delta.put("refusal", refusal.text());
            case StreamEvent.ToolCallDelta call -> {
                var node = delta.putArray("tool_calls").addObject().put("index", call.index());
                if (call.id() != null) {
                    node.put("id", call.id()).put("type", "function");
                }
                var function = node.putObject("function");
                if (call.name() != null) {
                    function.put("name", call.name());
                }
                function.put("arguments", call.arguments());
            }
            case StreamEvent.OpenAiChunk ignored -> {}
        }
        out.chunk(chunk(event.choice(), delta, null));
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** The end of the answer: its finish reason and usage, where the upstream's chunks did not carry them. */
    void finish(Completion completion) throws IOException {
        if (!passthrough || !completion.complete()) {
            startIfNeeded();
            out.chunk(chunk(0, NODES.objectNode(), completion.finish().openAi()));
        }
        if (includeUsage && !usageSent) {
            var chunk = chunk(-1, null, null);
            chunk.set("usage", usage(completion.usage()));
            out.chunk(chunk);
        }
    }

    static ObjectNode usage(TokenUsage usage) {
        var node = NODES.objectNode()
                .put("prompt_tokens", usage.input())
                .put("completion_tokens", usage.output())
                .put("total_tokens", usage.total());
        node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedInput());
        node.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoning());
        return node;
    }

    private void startIfNeeded() throws IOException {
        if (!started) {
            started = true;
            out.chunk(chunk(0, NODES.objectNode().put("role", "assistant").put("content", ""), null));
        }
    }

    /** A chunk with one choice's delta; {@code choice} -1 for none (the usage chunk). */
    private ObjectNode chunk(int choice, ObjectNode delta, String finishReason) {
        var chunk = NODES.objectNode()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", created)
                .put("model", model);
        var choices = chunk.putArray("choices");
        if (choice >= 0) {
            var node = choices.addObject().put("index", choice);
            node.set("delta", delta);
            node.putNull("logprobs");
            if (finishReason == null) {
                node.putNull("finish_reason");
            } else {
                node.put("finish_reason", finishReason);
            }
        }
        return chunk;
    }
}
