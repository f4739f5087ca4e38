package dev.colloquy.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;

/**
 * Writing server-sent events straight to a servlet response, each flushed as it is written, so
 * that proxies and clients see tokens as they come. A write to a client that has gone throws.
 */
public final class ServerSentEvents {

    private ServerSentEvents() {}

    /** Sets the status and headers of an event stream; call before the first event. */
    public static void open(HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
    }

    /** Writes one event ({@code event:} line only when named) and flushes it. */
    public static void send(HttpServletResponse response, @Nullable String event, byte[] data) throws IOException {
        write(response, event, data);
        response.flushBuffer();
    }

    /**
     * Writes one event without flushing it: it reaches the client with the next flush (or when the
     * response's buffer fills), so events made together go out in one write.
     */
    public static void write(HttpServletResponse response, @Nullable String event, byte[] data) throws IOException {
        var out = response.getOutputStream();
        if (event != null) {
            out.write(("event: " + event + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.write("data: ".getBytes(StandardCharsets.UTF_8));
        out.write(data);
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
    }
}
