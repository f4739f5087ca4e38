package dev.colloquy.llm.provider;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.jspecify.annotations.Nullable;

/**
 * A 200 from an upstream, its body still to read. Closing it after the body was read to its end
 * gives the connection back for the next call; {@link #abort()} drops the connection instead, which
 * is what ends a call half-way (a timeout, a client gone, an error event): closing a chunked body
 * that is not finished would read the rest of the answer first.
 */
public final class UpstreamResponse implements Closeable {

    private final HttpPost request;
    private final ClassicHttpResponse response;
    private final InputStream body;
    /** Ends the deadline {@link SseUpstream#post} set; null once it has. */
    private @Nullable Runnable endDeadline;

    UpstreamResponse(HttpPost request, ClassicHttpResponse response, InputStream body, Runnable endDeadline) {
        this.request = request;
        this.response = response;
        this.body = body;
        this.endDeadline = endDeadline;
    }

    public InputStream body() {
        return body;
    }

    /**
     * Stops the deadline {@link SseUpstream#post} set for the answer: the stream's own deadlines take
     * over.
     */
    void takeOverDeadline() {
        var end = endDeadline;
        if (end != null) {
            end.run();
            endDeadline = null;
        }
    }

    /** Drops the connection: a read waiting for the upstream fails at once. */
    public void abort() {
        request.cancel();
    }

    /** Ends the call: the rest of a finished body is read and the connection kept. */
    @Override
    public void close() throws IOException {
        try {
            body.close();
        } finally {
            takeOverDeadline();
            response.close();
        }
    }
}
