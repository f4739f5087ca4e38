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

        /**
         * Tool calls, streamed as each wire streams them: OpenAI's deltas (id and name first, then the
         * arguments in two fragments, parallel calls by index) or Anthropic's {@code tool_use} blocks
         * with {@code input_json_delta}s; {@code text} comes first when not empty.
         */
        record ToolCalls(String text, List<Call> calls) implements Reply {}

        /** A call of a tool, with its arguments as JSON text. */
        record Call(String id, String name, String arguments) {}

        /** Events sent exactly as given ({@code data:} payloads), for what the other replies do not cover. */
        record Raw(List<String> events) implements Reply {}

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

        static Reply toolCalls(String text, Call... calls) {
            return new ToolCalls(text, List.of(calls));
        }

        static Reply raw(String... events) {
            return new Raw(List.of(events));
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
    /** Streamed answers the gateway broke off before their end, by upstream model. */
    private static final Map<String, AtomicInteger> CANCELLED = new ConcurrentHashMap<>();

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

    /**
     * Streamed OpenAI-style answers of this model that could not be written to their end because the
     * gateway had dropped the connection.
     */
    public int cancelled(String upstreamModel) {
        return CANCELLED
                .computeIfAbsent(upstreamModel, m -> new AtomicInteger())
                .get();
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
                var last = text(messages.get(messages.size() - 1).path("content"));
                reply = Reply.stream("You said: ", last, ".");
            }
            switch (reply) {
                case Reply.Status status -> fail(exchange, status);
                case Reply.Stream stream -> stream(exchange, request, model, stream);
                case Reply.Garbage garbage -> garbage(exchange, garbage);
                case Reply.ToolCalls calls -> openAiToolCalls(exchange, model, calls);
                case Reply.Raw raw -> raw(exchange, raw);
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
                        "You said: ", text(messages.get(messages.size() - 1).path("content")), ".");
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
                case Reply.Raw raw -> raw(exchange, raw);
                case Reply.ToolCalls calls -> anthropicToolCalls(exchange, model, calls);
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

    /** The text of a message's content: a string, or its text parts or blocks joined. */
    private static String text(JsonNode content) {
        if (content.isString()) {
            return content.asString();
        }
        var text = new StringBuilder();
        for (var part : content) {
            if (part.path("type").asString("").equals("text")) {
                text.append(part.path("text").asString(""));
            } else if (part.path("type").asString("").equals("tool_result")) {
                text.append(part.path("content").asString(""));
            }
        }
        return text.toString();
    }

    private static void openAiToolCalls(HttpExchange exchange, String model, Reply.ToolCalls reply) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        var out = exchange.getResponseBody();
        var chunks = new java.util.ArrayList<Map<String, Object>>();
        chunks.add(Map.of("role", "assistant", "content", reply.text()));
        for (int i = 0; i < reply.calls().size(); i++) {
            var call = reply.calls().get(i);
            chunks.add(Map.of(
                    "tool_calls",
                    List.of(Map.of(
                            "index",
                            i,
                            "id",
                            call.id(),
                            "type",
                            "function",
                            "function",
                            Map.of("name", call.name(), "arguments", "")))));
            int half = call.arguments().length() / 2;
            for (var fragment : List.of(
                    call.arguments().substring(0, half), call.arguments().substring(half))) {
                chunks.add(
                        Map.of("tool_calls", List.of(Map.of("index", i, "function", Map.of("arguments", fragment)))));
            }
        }
        try {
            for (var delta : chunks) {
                event(out, openAiChunk(model, delta, null));
            }
            event(out, openAiChunk(model, Map.of(), "tool_calls"));
            event(
                    out,
                    Map.of(
                            "id",
                            "chatcmpl-tools",
                            "object",
                            "chat.completion.chunk",
                            "model",
                            model,
                            "choices",
                            List.of(),
                            "usage",
                            Map.of("prompt_tokens", 50, "completion_tokens", 20, "total_tokens", 70)));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException clientGone) {
            // the gateway cancelled the call
        }
    }

    private static Map<String, Object> openAiChunk(String model, Map<String, Object> delta, String finishReason) {
        var choice = new java.util.LinkedHashMap<String, Object>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("finish_reason", finishReason);
        return Map.of(
                "id", "chatcmpl-tools", "object", "chat.completion.chunk", "model", model, "choices", List.of(choice));
    }

    private static void anthropicToolCalls(HttpExchange exchange, String model, Reply.ToolCalls reply)
            throws IOException {
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
                                    "msg_tools",
                                    "type",
                                    "message",
                                    "role",
                                    "assistant",
                                    "model",
                                    model,
                                    "usage",
                                    Map.of(
                                            "input_tokens",
                                            30,
                                            "cache_read_input_tokens",
                                            10,
                                            "cache_creation_input_tokens",
                                            5,
                                            "output_tokens",
                                            1))));
            int block = 0;
            if (!reply.text().isEmpty()) {
                anthropicEvent(
                        out,
                        "content_block_start",
                        Map.of(
                                "type",
                                "content_block_start",
                                "index",
                                block,
                                "content_block",
                                Map.of("type", "text", "text", "")));
                anthropicEvent(
                        out,
                        "content_block_delta",
                        Map.of(
                                "type",
                                "content_block_delta",
                                "index",
                                block,
                                "delta",
                                Map.of("type", "text_delta", "text", reply.text())));
                anthropicEvent(out, "content_block_stop", Map.of("type", "content_block_stop", "index", block));
                block++;
            }
            for (var call : reply.calls()) {
                anthropicEvent(
                        out,
                        "content_block_start",
                        Map.of(
                                "type",
                                "content_block_start",
                                "index",
                                block,
                                "content_block",
                                Map.of("type", "tool_use", "id", call.id(), "name", call.name(), "input", Map.of())));
                int half = call.arguments().length() / 2;
                for (var fragment : List.of(
                        call.arguments().substring(0, half), call.arguments().substring(half))) {
                    anthropicEvent(
                            out,
                            "content_block_delta",
                            Map.of(
                                    "type",
                                    "content_block_delta",
                                    "index",
                                    block,
                                    "delta",
                                    Map.of("type", "input_json_delta", "partial_json", fragment)));
                }
                anthropicEvent(out, "content_block_stop", Map.of("type", "content_block_stop", "index", block));
                block++;
            }
            anthropicEvent(
                    out,
                    "message_delta",
                    Map.of(
                            "type",
                            "message_delta",
                            "delta",
                            Map.of("stop_reason", "tool_use"),
                            "usage",
                            Map.of("output_tokens", 25)));
            anthropicEvent(out, "message_stop", Map.of("type", "message_stop"));
        } catch (IOException clientGone) {
            // the gateway cancelled the call
        }
    }

    private static void raw(HttpExchange exchange, Reply.Raw reply) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        var out = exchange.getResponseBody();
        try {
            for (var data : reply.events()) {
                out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException clientGone) {
            // the gateway cancelled the call
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
            // as OpenAI's API does: a first chunk with the role and empty content
            event(out, openAiChunk(model, Map.of("role", "assistant", "content", ""), null));
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
            CANCELLED.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
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
