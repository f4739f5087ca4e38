package dev.colloquy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A test upstream on loopback that speaks the OpenAI chat completions and embeddings wire protocol
 * and Anthropic's Messages API: SSE streams with usage, and on demand 429 with Retry-After, 5xx, a
 * slow first token, or a stream cut off half-way. Replies are scripted per upstream model name;
 * unscripted calls echo the last user message in three chunks.
 */
public final class FakeUpstream {

    /** One scripted reply. */
    public sealed interface Reply {
        /** Chunks; when {@code cutOff} the connection ends half-way; a {@code stall} pauses half-way. */
        record Stream(
                List<String> chunks, Duration firstTokenDelay, Duration betweenChunks, boolean cutOff, Duration stall)
                implements Reply {}

        record Status(int status, String retryAfter) implements Reply {}

        /** A 200 answer that is not the protocol: an HTML error page, a broken event, ... */
        record Garbage(String contentType, String body) implements Reply {}

        static Reply stream(String... chunks) {
            return new Stream(List.of(chunks), Duration.ZERO, Duration.ZERO, false, Duration.ZERO);
        }

        static Reply slowFirstToken(Duration delay, String... chunks) {
            return new Stream(List.of(chunks), delay, Duration.ZERO, false, Duration.ZERO);
        }

        static Reply slowChunks(Duration between, String... chunks) {
            return new Stream(List.of(chunks), Duration.ZERO, between, false, Duration.ZERO);
        }

        static Reply cutAfter(String... chunks) {
            return new Stream(List.of(chunks), Duration.ZERO, Duration.ZERO, true, Duration.ZERO);
        }

        /** Sends half the chunks, then goes quiet for this long before the rest. */
        static Reply stallHalfWay(Duration stall, String... chunks) {
            return new Stream(List.of(chunks), Duration.ZERO, Duration.ZERO, false, stall);
        }

        static Reply garbage(String contentType, String body) {
            return new Garbage(contentType, body);
        }

        static Reply status(int status) {
            return new Status(status, null);
        }

        static Reply rateLimited(String retryAfter) {
            return new Status(429, retryAfter);
        }
    }

    private static volatile FakeUpstream instance;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final Map<String, ConcurrentLinkedQueue<Reply>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<JsonNode> requests = new ConcurrentLinkedQueue<>();
    private final Map<String, Map<String, String>> lastHeaders = new ConcurrentHashMap<>();
    private volatile Duration embeddingDelay = Duration.ZERO;

    private FakeUpstream(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", this::complete);
        server.createContext("/v1/embeddings", this::embeddings);
        server.createContext("/v1/messages", this::messages);
        server.start();
    }

    public static FakeUpstream get() {
        if (instance == null) {
            synchronized (FakeUpstream.class) {
                if (instance == null) {
                    try {
                        instance = new FakeUpstream(0);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        }
        return instance;
    }

    /** A server of its own on this loopback port, for the benchmarks (bench/run-gateway). */
    public static FakeUpstream start(int port) throws IOException {
        return new FakeUpstream(port);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public void script(String upstreamModel, Reply... replies) {
        scripts.computeIfAbsent(upstreamModel, m -> new ConcurrentLinkedQueue<>())
                .addAll(List.of(replies));
    }

    public int calls(String upstreamModel) {
        return calls.computeIfAbsent(upstreamModel, m -> new AtomicInteger()).get();
    }

    /** Every embeddings call from now on answers after this long (a slow embedding upstream). */
    public void delayEmbeddings(Duration delay) {
        embeddingDelay = delay;
    }

    /** The last request body the server received for this model. */
    public JsonNode lastRequest(String upstreamModel) {
        return requests.stream()
                .filter(r -> r.path("model").asString().equals(upstreamModel))
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    private void complete(HttpExchange exchange) throws IOException {
        try (exchange) {
            var request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            var model = request.path("model").asString();
            keepHeaders(exchange, model);
            calls.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
            var queue = scripts.get(model);
            var reply = queue == null ? null : queue.poll();
            if (reply == null) {
                var messages = request.path("messages");
                var last = messages.get(messages.size() - 1).path("content").asString();
                reply = Reply.stream("You said: ", last, ".");
            }
            switch (reply) {
                case Reply.Status status -> fail(exchange, status);
                case Reply.Stream stream -> stream(exchange, request, model, stream);
                case Reply.Garbage garbage -> garbage(exchange, garbage);
            }
        }
    }

    private void keepHeaders(HttpExchange exchange, String model) {
        var headers = new java.util.HashMap<String, String>();
        exchange.getRequestHeaders()
                .forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
        lastHeaders.put(model, headers);
    }

    /** The headers of the last request for this model. */
    public Map<String, String> lastHeaders(String upstreamModel) {
        return lastHeaders.getOrDefault(upstreamModel, Map.of());
    }

    /** Anthropic's Messages API, streamed: message_start, content_block_delta..., message_delta, message_stop. */
    private void messages(HttpExchange exchange) throws IOException {
        try (exchange) {
            var request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            var model = request.path("model").asString();
            keepHeaders(exchange, model);
            calls.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
            var queue = scripts.get(model);
            var reply = queue == null ? null : queue.poll();
            if (reply == null) {
                var messages = request.path("messages");
                reply = Reply.stream(
                        "You said: ",
                        messages.get(messages.size() - 1).path("content").asString(),
                        ".");
            }
            switch (reply) {
                case Reply.Status status -> {
                    var body =
                            ("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"scripted failure "
                                            + status.status() + "\"}}")
                                    .getBytes(StandardCharsets.UTF_8);
                    if (status.retryAfter() != null) {
                        exchange.getResponseHeaders().add("retry-after", status.retryAfter());
                    }
                    exchange.sendResponseHeaders(status.status(), body.length);
                    exchange.getResponseBody().write(body);
                }
                case Reply.Garbage garbage -> garbage(exchange, garbage);
                case Reply.Stream stream -> {
                    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
                    exchange.sendResponseHeaders(200, 0);
                    var out = exchange.getResponseBody();
                    try {
                        anthropicEvent(
                                out,
                                "message_start",
                                Map.of(
                                        "type",
                                        "message_start",
                                        "message",
                                        Map.of(
                                                "id",
                                                "msg_test",
                                                "type",
                                                "message",
                                                "role",
                                                "assistant",
                                                "model",
                                                model,
                                                "usage",
                                                Map.of("input_tokens", 40, "output_tokens", 1))));
                        anthropicEvent(
                                out,
                                "content_block_start",
                                Map.of(
                                        "type",
                                        "content_block_start",
                                        "index",
                                        0,
                                        "content_block",
                                        Map.of("type", "text", "text", "")));
                        for (var chunk : stream.chunks()) {
                            anthropicEvent(
                                    out,
                                    "content_block_delta",
                                    Map.of(
                                            "type",
                                            "content_block_delta",
                                            "index",
                                            0,
                                            "delta",
                                            Map.of("type", "text_delta", "text", chunk)));
                        }
                        anthropicEvent(out, "content_block_stop", Map.of("type", "content_block_stop", "index", 0));
                        anthropicEvent(
                                out,
                                "message_delta",
                                Map.of(
                                        "type",
                                        "message_delta",
                                        "delta",
                                        Map.of("stop_reason", "end_turn"),
                                        "usage",
                                        Map.of("output_tokens", stream.chunks().size() * 3)));
                        anthropicEvent(out, "message_stop", Map.of("type", "message_stop"));
                    } catch (IOException clientGone) {
                        // the gateway cancelled the call
                    }
                }
            }
        }
    }

    private static void anthropicEvent(OutputStream out, String name, Object data) throws IOException {
        out.write(("event: " + name + "\ndata: " + JSON.writeValueAsString(data) + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Deterministic three-dimensional vectors: the input's length, its vowels, and 1. */
    private void embeddings(HttpExchange exchange) throws IOException {
        try (exchange) {
            var request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            calls.computeIfAbsent(request.path("model").asString(), m -> new AtomicInteger())
                    .incrementAndGet();
            sleep(embeddingDelay);
            var inputs = request.path("input").isArray()
                    ? java.util.stream.StreamSupport.stream(
                                    request.path("input").spliterator(), false)
                            .map(JsonNode::asString)
                            .toList()
                    : List.of(request.path("input").asString());
            var data = new java.util.ArrayList<Map<String, Object>>();
            for (int i = 0; i < inputs.size(); i++) {
                var text = inputs.get(i);
                data.add(Map.of(
                        "object",
                        "embedding",
                        "index",
                        i,
                        "embedding",
                        List.of(
                                (double) text.length(),
                                (double) text.replaceAll("[^aeiou]", "").length(),
                                1.0)));
            }
            var body = JSON.writeValueAsBytes(Map.of(
                    "object",
                    "list",
                    "model",
                    request.path("model").asString(),
                    "data",
                    data,
                    "usage",
                    Map.of("prompt_tokens", inputs.size() * 5, "total_tokens", inputs.size() * 5)));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static void garbage(HttpExchange exchange, Reply.Garbage garbage) throws IOException {
        var bytes = garbage.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", garbage.contentType());
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void fail(HttpExchange exchange, Reply.Status status) throws IOException {
        if (status.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", status.retryAfter());
        }
        var body = "{\"error\":{\"message\":\"scripted failure " + status.status() + "\",\"type\":\"test\"}}";
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void stream(HttpExchange exchange, JsonNode request, String model, Reply.Stream stream)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            sleep(stream.firstTokenDelay());
            int sent = 0;
            for (var chunk : stream.chunks()) {
                if (stream.cutOff() && sent == stream.chunks().size() / 2 + 1) {
                    return;
                }
                if (sent == stream.chunks().size() / 2 + 1) {
                    sleep(stream.stall());
                }
                event(
                        out,
                        Map.of(
                                "id",
                                "chatcmpl-test",
                                "object",
                                "chat.completion.chunk",
                                "model",
                                model,
                                "choices",
                                List.of(Map.of("index", 0, "delta", Map.of("content", chunk)))));
                sent++;
                sleep(stream.betweenChunks());
            }
            event(
                    out,
                    Map.of(
                            "id",
                            "chatcmpl-test",
                            "object",
                            "chat.completion.chunk",
                            "model",
                            model,
                            "choices",
                            List.of(Map.of("index", 0, "delta", Map.of(), "finish_reason", "stop"))));
            if (request.path("stream_options").path("include_usage").asBoolean(false)) {
                int completion = stream.chunks().size() * 2;
                event(
                        out,
                        Map.of(
                                "id",
                                "chatcmpl-test",
                                "object",
                                "chat.completion.chunk",
                                "model",
                                model,
                                "choices",
                                List.of(),
                                "usage",
                                Map.of(
                                        "prompt_tokens",
                                        100,
                                        "completion_tokens",
                                        completion,
                                        "total_tokens",
                                        100 + completion)));
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException clientGone) {
            // the gateway cancelled the call
        }
    }

    private static void event(OutputStream out, Object data) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
