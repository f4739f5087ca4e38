package dev.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ChatWebSocketIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void authenticatesThenStreamsATurn() throws Exception {
        var account = api().register();
        var id = api().post("/api/conversations", account.token(), "{\"model\":\"test-model\"}")
                .json()
                .get("id")
                .asString();
        try (var socket = new Socket(port)) {
            socket.send("{\"type\":\"auth\",\"token\":\"" + account.token() + "\"}");
            assertThat(socket.next().get("type").asString()).isEqualTo("ready");

            socket.send("{\"type\":\"send\",\"conversationId\":\"" + id + "\",\"content\":\"over the socket\"}");
            var frames = socket.untilEnd();

            assertThat(frames.getFirst().get("type").asString()).isEqualTo("user_message");
            var text = new StringBuilder();
            frames.stream()
                    .filter(f -> f.get("type").asString().equals("token"))
                    .forEach(f -> text.append(f.get("text").asString()));
            assertThat(text).hasToString("You said: over the socket.");
            var done = frames.getLast();
            assertThat(done.get("type").asString()).isEqualTo("done");
            assertThat(done.get("turn").get("assistantMessage").get("content").asString())
                    .isEqualTo("You said: over the socket.");
        }
        assertThat(api().get("/api/conversations/" + id, account.token())
                        .json()
                        .get("messageCount")
                        .asInt())
                .isEqualTo(2);
    }

    @Test
    void refusesTurnsBeforeAuthenticationAndBadTokens() throws Exception {
        try (var socket = new Socket(port)) {
            socket.send(
                    "{\"type\":\"send\",\"conversationId\":\"00000000-0000-0000-0000-000000000000\",\"content\":\"hi\"}");
            assertThat(socket.next().get("status").asInt()).isEqualTo(401);
            socket.send("{\"type\":\"auth\",\"token\":\"cqs_forged\"}");
            assertThat(socket.next().get("status").asInt()).isEqualTo(401);
        }
    }

    @Test
    void malformedFramesAreAnsweredWithAnErrorAndTheSocketStaysUsable() throws Exception {
        var account = api().register();
        var id = api().post("/api/conversations", account.token(), "{\"model\":\"test-model\"}")
                .json()
                .get("id")
                .asString();
        var malformed = List.of(
                "not json",
                "{",
                "[1,2,3]",
                "\"auth\"",
                "null",
                "{\"type\":42}",
                "{\"type\":{\"nested\":[1,2]}}",
                "{\"type\":\"send\",\"conversationId\":[],\"content\":{}}",
                "{\"type\":\"send\",\"conversationId\":\"" + id + "\",\"content\":\"a\\u0000b\"}",
                "{\"type\":\"send\",\"conversationId\":\"../../etc/passwd\",\"content\":\"hi\"}",
                "[".repeat(5_000) + "]".repeat(5_000),
                "{\"type\":\"\\ud800\"}");
        try (var socket = new Socket(port)) {
            socket.send("{\"type\":\"send\",\"conversationId\":\"" + id + "\",\"content\":\"before auth\"}");
            assertThat(socket.next().get("status").asInt())
                    .as("a turn before auth")
                    .isEqualTo(401);
            socket.send("{\"type\":\"auth\",\"token\":\"" + account.token() + "\"}");
            assertThat(socket.next().get("type").asString()).isEqualTo("ready");
            for (var frame : malformed) {
                socket.send(frame);
                var answer = socket.next();
                assertThat(answer.get("type").asString()).as(frame).isEqualTo("error");
                assertThat(answer.get("status").asInt()).as(frame).isBetween(400, 499);
                assertThat(answer.toString()).doesNotContain("Exception", "\tat ", "jackson");
            }
            socket.send("{\"type\":\"send\",\"conversationId\":\"" + id + "\",\"content\":\"still here\"}");
            assertThat(socket.untilEnd().getLast().get("type").asString())
                    .as("after every malformed frame a good one still works")
                    .isEqualTo("done");
        }
        assertThat(api().get("/api/conversations/" + id, account.token())
                        .json()
                        .get("messageCount")
                        .asInt())
                .as("no malformed frame wrote anything")
                .isEqualTo(2);
    }

    @Test
    void aBinaryFrameOrAFrameOverTheLimitClosesTheSocketWithItsCode() throws Exception {
        try (var socket = new Socket(port)) {
            socket.socket
                    .sendBinary(java.nio.ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xFF}), true)
                    .join();
            assertThat(socket.closed.get(10, TimeUnit.SECONDS))
                    .as("1003: a binary frame is not accepted")
                    .isEqualTo(1003);
        }
        try (var socket = new Socket(port)) {
            socket.send("{\"type\":\"auth\",\"token\":\"" + "x".repeat(300 * 1024) + "\"}");
            assertThat(socket.closed.get(10, TimeUnit.SECONDS))
                    .as("1009: over the 256 KB a frame may have")
                    .isEqualTo(1009);
        }
        try (var socket = new Socket(port)) {
            socket.send("{\"type\":\"auth\",\"token\":\"cqs_forged\"}");
            assertThat(socket.next().get("status").asInt()).isEqualTo(401);
            assertThat(socket.closed.get(10, TimeUnit.SECONDS))
                    .as("1008: a wrong token ends the socket")
                    .isEqualTo(1008);
        }
    }

    @Test
    void stopEndsTheAnswerAndKeepsItIncomplete() throws Exception {
        var account = api().register();
        var id = api().post("/api/conversations", account.token(), "{\"model\":\"lonely\"}")
                .json()
                .get("id")
                .asString();
        FakeUpstream.get()
                .script(
                        "lonely",
                        Reply.slowChunks(
                                Duration.ofMillis(100),
                                "s1 ",
                                "s2 ",
                                "s3 ",
                                "s4 ",
                                "s5 ",
                                "s6 ",
                                "s7 ",
                                "s8 ",
                                "s9 ",
                                "s10"));
        try (var socket = new Socket(port)) {
            socket.send("{\"type\":\"auth\",\"token\":\"" + account.token() + "\"}");
            socket.next();
            socket.send("{\"type\":\"send\",\"conversationId\":\"" + id + "\",\"content\":\"long please\"}");
            socket.next();
            assertThat(socket.next().get("type").asString()).isEqualTo("token");
            socket.send("{\"type\":\"stop\"}");
            var end = socket.untilEnd().getLast();

            assertThat(end.get("type").asString()).isEqualTo("done");
            assertThat(end.get("turn").get("complete").asBoolean()).isFalse();
            assertThat(end.get("turn").get("assistantMessage").get("status").asString())
                    .isEqualTo("incomplete");
            assertThat(end.get("turn").get("assistantMessage").get("content").asString())
                    .doesNotContain("s10");
        }
    }

    /** A JSON-framed WebSocket client on the JDK's built-in WebSocket. */
    private static final class Socket implements AutoCloseable, WebSocket.Listener {

        private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final WebSocket socket;
        private final java.util.concurrent.CompletableFuture<Integer> closed =
                new java.util.concurrent.CompletableFuture<>();

        Socket(int port) {
            this.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/chat"), this)
                    .join();
        }

        void send(String frame) {
            socket.sendText(frame, true).join();
        }

        JsonNode next() throws InterruptedException {
            var frame = frames.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a frame within 10 s").isNotNull();
            return frame;
        }

        List<JsonNode> untilEnd() throws InterruptedException {
            var all = new ArrayList<JsonNode>();
            JsonNode frame;
            do {
                frame = next();
                all.add(frame);
            } while (!List.of("done", "error").contains(frame.get("type").asString()));
            return all;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(JSON.readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        @Override
        public void close() {
            if (!closed.isDone()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            }
        }
    }
}
