package dev.colloquy.chat;

import dev.colloquy.web.ServerSentEvents;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
            ServerSentEvents.open(response);
        }
        ServerSentEvents.send(response, event, json.writeValueAsBytes(data));
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
