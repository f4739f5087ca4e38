package dev.colloquy.chat;

import dev.colloquy.auth.SigningIn;
import dev.colloquy.cache.ResponseCaching;
import dev.colloquy.user.AccessScope;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.ApiProblem;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /ws/chat}: chat turns over a WebSocket, for the web UI. Browsers cannot send an
 * {@code Authorization} header on a WebSocket, so the first frame authenticates:
 *
 * <pre>
 * -> {"type":"auth","token":"cqs_..."}                       <- {"type":"ready"}
 * -> {"type":"send","conversationId":"...","content":"..."}  <- user_message, token..., done | error
 * -> {"type":"stop"}                                         (ends the answer; it is kept, incomplete)
 * </pre>
 *
 * One turn runs at a time per socket, on its own virtual thread.
 */
final class ChatWebSocket extends TextWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(ChatWebSocket.class);
    private static final String USER = "colloquy.user";
    private static final String RUNNING = "colloquy.running";
    private static final String STOPPED = "colloquy.stopped";

    private final SigningIn signingIn;
    private final ChatTurns turns;
    private final ResponseCaching caching;
    private final JsonMapper json;

    ChatWebSocket(SigningIn signingIn, ChatTurns turns, ResponseCaching caching, JsonMapper json) {
        this.signingIn = signingIn;
        this.turns = turns;
        this.caching = caching;
        this.json = json;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        session.getAttributes().put(RUNNING, new AtomicBoolean());
        session.getAttributes().put(STOPPED, new AtomicBoolean());
    }

    @Override
    protected void handleTextMessage(WebSocketSession raw, TextMessage message) throws IOException {
        var session = (WebSocketSession) raw.getAttributes()
                .computeIfAbsent(
                        "colloquy.safe", key -> new ConcurrentWebSocketSessionDecorator(raw, 10_000, 1024 * 1024));
        JsonNode frame;
        try {
            frame = json.readTree(message.getPayload());
        } catch (RuntimeException e) {
            send(session, Map.of("type", "error", "status", 400, "detail", "Frames are JSON objects"));
            return;
        }
        switch (frame.path("type").asString("")) {
            case "auth" -> authenticate(session, frame.path("token").asString(""));
            case "send" -> startTurn(session, frame);
            case "stop" -> ((AtomicBoolean) session.getAttributes().get(STOPPED)).set(true);
            default ->
                send(
                        session,
                        Map.of("type", "error", "status", 400, "detail", "Unknown frame type; use auth, send or stop"));
        }
    }

    private void authenticate(WebSocketSession session, String token) throws IOException {
        var caller = token.isEmpty() || token.length() > 512
                ? null
                : signingIn.resolve(token).orElse(null);
        if (caller == null || caller.scope() != AccessScope.FULL) {
            send(
                    session,
                    Map.of(
                            "type",
                            "error",
                            "status",
                            401,
                            "detail",
                            "The token is unknown, expired, revoked or chat-scoped"));
            session.close(CloseStatus.POLICY_VIOLATION);
            return;
        }
        session.getAttributes().put(USER, caller);
        send(session, Map.of("type", "ready"));
    }

    private void startTurn(WebSocketSession session, JsonNode frame) throws IOException {
        var caller = (CurrentUser) session.getAttributes().get(USER);
        if (caller == null) {
            send(session, Map.of("type", "error", "status", 401, "detail", "Send an auth frame first"));
            return;
        }
        var running = (AtomicBoolean) session.getAttributes().get(RUNNING);
        if (!running.compareAndSet(false, true)) {
            send(session, Map.of("type", "error", "status", 409, "detail", "A turn is already running on this socket"));
            return;
        }
        UUID conversationId;
        try {
            conversationId = UUID.fromString(frame.path("conversationId").asString(""));
        } catch (IllegalArgumentException e) {
            running.set(false);
            send(session, Map.of("type", "error", "status", 400, "detail", "'conversationId' is not a valid id"));
            return;
        }
        var content = frame.path("content").asString("");
        if (content.isBlank()
                || content.length() > dev.colloquy.conversation.ConversationManagement.MAX_CONTENT
                || content.indexOf('\0') >= 0) {
            running.set(false);
            send(
                    session,
                    Map.of(
                            "type",
                            "error",
                            "status",
                            422,
                            "detail",
                            "'content' must be 1 to 100,000 characters without NUL"));
            return;
        }
        var stopped = (AtomicBoolean) session.getAttributes().get(STOPPED);
        stopped.set(false);
        Thread.ofVirtual()
                .name("ws-chat-turn")
                .start(() -> runTurn(session, caller, conversationId, content, running, stopped));
    }

    private void runTurn(
            WebSocketSession session,
            CurrentUser caller,
            UUID conversationId,
            String content,
            AtomicBoolean running,
            AtomicBoolean stopped) {
        try {
            var turn = turns.take(
                    caller,
                    conversationId,
                    content,
                    token -> {
                        if (stopped.get() || !session.isOpen()) {
                            throw new IOException("stopped by the client");
                        }
                        send(session, Map.of("type", "token", "text", token));
                    },
                    message -> sendQuietly(session, Map.of("type", "user_message", "message", message)));
            caching.invalidateFor(caller.id().toString(), "conversations", "conversation");
            var done = new LinkedHashMap<String, Object>();
            done.put("type", "done");
            done.put("turn", ChatController.TurnView.of(turn, 0));
            sendQuietly(session, done);
        } catch (ApiProblem problem) {
            caching.invalidateFor(caller.id().toString(), "conversations", "conversation");
            sendQuietly(
                    session,
                    Map.of(
                            "type",
                            "error",
                            "status",
                            problem.status().value(),
                            "problemType",
                            problem.type().toString(),
                            "title",
                            problem.title(),
                            "detail",
                            problem.getMessage()));
        } catch (RuntimeException e) {
            log.error("Chat turn over WebSocket failed", e);
            sendQuietly(session, Map.of("type", "error", "status", 500, "detail", "An unexpected error occurred"));
        } finally {
            running.set(false);
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        var stopped = (AtomicBoolean) session.getAttributes().get(STOPPED);
        if (stopped != null) {
            stopped.set(true);
        }
    }

    private void send(WebSocketSession session, Object frame) throws IOException {
        session.sendMessage(new TextMessage(json.writeValueAsString(frame)));
    }

    private void sendQuietly(WebSocketSession session, Object frame) {
        try {
            if (session.isOpen()) {
                send(session, frame);
            }
        } catch (IOException | IllegalStateException e) {
            // the client left; what the turn produced is stored
        }
    }
}
