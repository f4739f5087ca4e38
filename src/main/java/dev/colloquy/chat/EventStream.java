package dev.colloquy.chat;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Server-sent events written straight to the response, flushed per event. A write to a client that
 * has gone throws, which is how the model call learns to stop.
 */
final class EventStream {

    private final HttpServletResponse response;
    private final JsonMapper json;
    private boolean started;

    EventStream(HttpServletResponse response, JsonMapper json) {
        this.response = response;
        this.json = json;
    }

    synchronized void send(String event, Object data) throws IOException {
        if (!started) {
            started = true;
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
        }
        var out = response.getOutputStream();
        out.write(("event: " + event + "\ndata: ").getBytes(StandardCharsets.UTF_8));
        out.write(json.writeValueAsBytes(data));
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        response.flushBuffer();
    }

    /** Sends unless the client is gone; for the last events, when nothing is left to stop. */
    void sendIfConnected(String event, Object data) {
        try {
            send(event, data);
        } catch (IOException clientGone) {
            // the answer is already stored; the client reads it with GET .../messages
        }
    }

    boolean started() {
        return started;
    }
}
