package dev.colloquy.llm;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** One piece of a streamed answer, for choice {@code choice} (0 unless the caller asked for several). */
public sealed interface StreamEvent {

    /** Text of the answer. */
    record Text(int choice, String text) implements StreamEvent {}

    /** The model's refusal, in words. */
    record Refusal(int choice, String text) implements StreamEvent {}

    /**
     * A piece of tool call {@code index}: its first piece carries the id and name, later ones only more
     * of the arguments' JSON text.
     */
    record ToolCallDelta(
            int choice,
            int index,
            @Nullable String id,
            @Nullable String name,
            String arguments) implements StreamEvent {}

    /**
     * A {@code chat.completion.chunk} exactly as an OpenAI-compatible upstream sent it, given to the
     * sink before the events read from it. A sink that speaks OpenAI forwards it and skips those
     * events, so nothing the upstream said is lost (logprobs, fingerprints, fields to come); every
     * other sink ignores it.
     */
    record OpenAiChunk(JsonNode chunk) implements StreamEvent {}

    default int choice() {
        return switch (this) {
            case Text text -> text.choice();
            case Refusal refusal -> refusal.choice();
            case ToolCallDelta call -> call.choice();
            case OpenAiChunk ignored -> -1;
        };
    }
}
