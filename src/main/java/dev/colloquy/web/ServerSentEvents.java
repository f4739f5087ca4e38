package dev.colloquy.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;

/**
 * Writing server-sent events straight to a servlet response, flushed with each event ({@code send})
 * or when the writer is about to wait ({@code write}, then {@code flush}), so that proxies and
 * clients see tokens as they come. A write to a client that has gone throws.
 */
public final class ServerSentEvents {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.UTF_8);

    private ServerSentEvents() {}

    /**
     * An event stream that sets the response's status and headers with its first event, so that a
     * call failing before it has anything to send can still answer with a problem response.
     */
    public static Stream lazily(HttpServletResponse response) {
        return new Stream(response);
    }

    /** See {@link #lazily}. One request's, used by its thread only. */
    public static final class Stream {

        private final HttpServletResponse response;
        private boolean opened;

        private Stream(HttpServletResponse response) {
            this.response = response;
        }

        /** Whether an event was written: the status and headers are then sent or about to be. */
        public boolean opened() {
            return opened;
        }

        /**
         * Writes one event ({@code event:} line only when named) without flushing it: it reaches the
         * client with the next flush (or when the response's buffer fills), so events made together go
         * out in one write.
         */
        public void write(@Nullable String event, byte[] data) throws IOException {
            if (!opened) {
                opened = true;
                response.setStatus(HttpServletResponse.SC_OK);
                response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
                response.setCharacterEncoding(StandardCharsets.UTF_8.name());
                response.setHeader("Cache-Control", "no-cache");
                response.setHeader("X-Accel-Buffering", "no");
            }
            var out = response.getOutputStream();
            if (event != null) {
                out.write(("event: " + event + "\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write(DATA);
            out.write(data);
            out.write(END);
        }

        /** Writes the event and flushes it with everything written before it. */
        public void send(@Nullable String event, byte[] data) throws IOException {
            write(event, data);
            response.flushBuffer();
        }

        /** Pushes the events written so far to the client; nothing before the first event. */
        public void flush() throws IOException {
            if (opened) {
                response.flushBuffer();
            }
        }
    }
}
