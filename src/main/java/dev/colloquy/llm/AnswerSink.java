package dev.colloquy.llm;

import java.io.IOException;

/** Where a streamed answer goes; throws when the client is gone, which stops the upstream call. */
@FunctionalInterface
public interface AnswerSink {

    void accept(StreamEvent event) throws IOException;

    /**
     * The producer is about to wait for the upstream: what was accepted so far must reach the client
     * now. A sink may hold events back until this is called, so that events that arrive together
     * reach the client in one write; every producer calls it before it waits. At the end of the
     * answer no producer calls it: the sink's owner writes the answer's end (its usage, {@code [DONE]})
     * after the call returns, and the last events go out with it.
     */
    default void flush() throws IOException {}

    AnswerSink DISCARD = event -> {};

    /** A sink for callers that show only the text of the first choice (the chat UI). */
    static AnswerSink text(TokenSink tokens) {
        return event -> {
            if (event instanceof StreamEvent.Text text && text.choice() == 0) {
                tokens.accept(text.text());
            }
        };
    }
}
