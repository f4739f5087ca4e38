package dev.colloquy.llm;

import java.io.IOException;

/** Where the text of a streamed answer goes; throws when the client is gone, which stops the call. */
@FunctionalInterface
public interface TokenSink {

    void accept(String token) throws IOException;

    TokenSink DISCARD = token -> {};
}
