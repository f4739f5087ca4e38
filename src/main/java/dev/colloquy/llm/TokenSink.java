package dev.colloquy.llm;

import java.io.IOException;

/** Where streamed tokens go; throws when the client is gone, which stops the upstream call. */
@FunctionalInterface
public interface TokenSink {

    void accept(String token) throws IOException;

    TokenSink DISCARD = token -> {};
}
