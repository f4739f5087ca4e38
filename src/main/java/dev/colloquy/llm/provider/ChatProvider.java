package dev.colloquy.llm.provider;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.LlmModel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A way to run a model: an OpenAI-compatible upstream, Anthropic's API, or the built-in {@code local} model. */
public interface ChatProvider {

    /** The provider id models name in their {@code provider} setting. */
    String id();

    /**
     * Streams the answer to the sink until it is complete, the deadline passes, or the sink throws
     * because the client is gone; blocks meanwhile (callers run on virtual threads). Parameters that
     * {@link #unsupported} names are left out.
     *
     * @throws UpstreamFailure when nothing of the answer was streamed and the call failed
     */
    ProviderResult stream(LlmModel model, ChatRequest request, AnswerSink sink, Deadlines deadlines)
            throws UpstreamFailure;

    /** The request's parameters this model's API cannot honour, by their OpenAI names; none by default. */
    default List<String> unsupported(LlmModel model, ChatRequest request) {
        return List.of();
    }

    /**
     * When the call gives up: no first token by {@code firstToken}, no whole answer by {@code total},
     * or, once tokens flow, no new one for {@code idle} (a stream that stalled half-way).
     */
    record Deadlines(Instant firstToken, Instant total, Duration idle) {}
}
