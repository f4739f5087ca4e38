package dev.colloquy.llm;

import java.time.Instant;

/** A way to run a model: an OpenAI-compatible upstream, or the built-in {@code local} model. */
interface ChatProvider {

    /**
     * Streams the answer to the sink until it is complete, the deadline passes, or the sink throws
     * because the client is gone; blocks meanwhile (callers run on virtual threads).
     *
     * @throws UpstreamFailure when no token was streamed and the call failed
     */
    ProviderResult stream(LlmModel model, ChatRequest request, TokenSink sink, Deadlines deadlines)
            throws UpstreamFailure;

    /** When the first token and the whole answer are due. */
    /**
     * When the call gives up: no first token by {@code firstToken}, no whole answer by {@code total},
     * or, once tokens flow, no new one for {@code idle} (a stream that stalled half-way).
     */
    record Deadlines(Instant firstToken, Instant total, java.time.Duration idle) {}
}
