package dev.colloquy.llm;

import java.io.IOException;

/** Where a streamed answer goes; throws when the client is gone, which stops the upstream call. */
@FunctionalInterface
public interface AnswerSink {

    void accept(StreamEvent event) throws IOException;

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
