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

    private final ServerSentEvents.Stream stream;
    private final JsonMapper json;

    EventStream(HttpServletResponse response, JsonMapper json) {
        this.stream = ServerSentEvents.lazily(response);
        this.json = json;
    }

    synchronized void send(String event, Object data) throws IOException {
        stream.send(event, json.writeValueAsBytes(data));
    }

    /** Sends unless the client is gone; for the last events, when nothing is left to stop. */
    void sendIfConnected(String event, Object data) {
        try {
            send(event, data);
        } catch (IOException clientGone) {
            // the answer is already stored; the client reads it with GET .../messages
        }
    }

    synchronized boolean started() {
        return stream.opened();
    }
}
