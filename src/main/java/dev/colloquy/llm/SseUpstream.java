package dev.colloquy.llm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every streaming HTTP upstream shares: the JDK HTTP client (virtual threads, HTTP/1.1), the
 * mapping of HTTP failures to retriable or final ones (with {@code Retry-After}), and the reading of a
 * server-sent event stream under deadlines: a watchdog closes the stream when the first token or the
 * whole answer is overdue, or when tokens stop coming half-way, which also cancels the upstream
 * request. Each provider supplies its request
 * and a {@link Chunks} reader for its events.
 */
final class SseUpstream {

    /** Reads one provider's events. */
    interface Chunks {

        /**
         * Takes one {@code data:} payload; returns the text it adds (empty for none) and notes usage,
         * the finish reason or the end of the stream in the state. Throws to report an error event.
         */
        String read(JsonNode event, State state);
    }

    /** What the events told so far. */
    static final class State {
        int inputTokens = -1;
        int outputTokens = -1;
        String finishReason = "";
        boolean done;
    }

    private static final int MAX_ERROR_BODY = 16 * 1024;

    private final HttpClient client;
    private final JsonMapper json;
    private final ScheduledExecutorService watchdog;

    SseUpstream(Duration connectTimeout, JsonMapper json) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        this.json = json;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("llm-watchdog").factory());
    }

    JsonMapper json() {
        return json;
    }

    /** POSTs the JSON body; answers the response of a 200, or throws what the failure means. */
    HttpResponse<InputStream> post(URI uri, Map<String, String> headers, Object body, Instant answerBy)
            throws UpstreamFailure {
        var http = HttpRequest.newBuilder(uri)
                .timeout(positive(Duration.between(Instant.now(), answerBy)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        headers.forEach(http::header);
        HttpResponse<InputStream> response;
        try {
            response = client.send(http.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no answer before the timeout", null);
        } catch (ConnectException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.CONNECTION, "cannot connect to the upstream", null);
        } catch (IOException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.CONNECTION, "the upstream connection failed", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamFailure(UpstreamFailure.Kind.CONNECTION, "interrupted", null);
        }
        if (response.statusCode() != 200) {
            throw failure(response);
        }
        return response;
    }

    /** Reads the event stream, handing text to the sink as it comes. */
    ProviderResult stream(
            InputStream body, ChatRequest request, TokenSink sink, ChatProvider.Deadlines deadlines, Chunks chunks)
            throws UpstreamFailure {
        var text = new StringBuilder();
        var state = new State();
        var timedOut = new AtomicBoolean();
        var guard = watchdog.schedule(
                () -> close(body, timedOut), millisUntil(deadlines.firstToken()), TimeUnit.MILLISECONDS);
        var lastToken = new AtomicLong();
        var ended = new AtomicBoolean();
        boolean first = true;
        try (var lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (var line = lines.readLine(); line != null && !state.done; line = lines.readLine()) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                var data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    state.done = true;
                    break;
                }
                var delta = chunks.read(json.readTree(data), state);
                if (delta.isEmpty()) {
                    continue;
                }
                if (first) {
                    first = false;
                    guard.cancel(false);
                    guard = watchdog.schedule(
                            () -> close(body, timedOut), millisUntil(deadlines.total()), TimeUnit.MILLISECONDS);
                    lastToken.set(System.nanoTime());
                    watchIdle(body, timedOut, lastToken, deadlines.idle().toNanos(), ended);
                } else {
                    lastToken.set(System.nanoTime());
                }
                try {
                    sink.accept(delta);
                } catch (IOException clientGone) {
                    return result(request, text, state, false, "client_disconnected");
                }
                text.append(delta);
            }
        } catch (IOException | RuntimeException e) {
            if (text.isEmpty()) {
                throw new UpstreamFailure(
                        timedOut.get() ? UpstreamFailure.Kind.TIMEOUT : UpstreamFailure.Kind.BROKEN_STREAM,
                        timedOut.get() ? "the upstream sent no token in time" : "the upstream stream broke off",
                        null);
            }
            return result(request, text, state, false, timedOut.get() ? "timeout" : "upstream_cut");
        } finally {
            guard.cancel(false);
            ended.set(true);
        }
        if (!state.done && state.finishReason.isEmpty()) {
            if (text.isEmpty()) {
                throw new UpstreamFailure(
                        UpstreamFailure.Kind.BROKEN_STREAM, "the upstream stream ended without an answer", null);
            }
            return result(request, text, state, false, "upstream_cut");
        }
        return result(request, text, state, true, state.finishReason.isEmpty() ? "stop" : state.finishReason);
    }

    private static ProviderResult result(
            ChatRequest request, StringBuilder text, State state, boolean complete, String reason) {
        return new ProviderResult(
                text.toString(),
                state.inputTokens >= 0 ? state.inputTokens : Tokens.count(request.messages()),
                state.outputTokens >= 0 ? state.outputTokens : Tokens.count(text.toString()),
                complete,
                reason);
    }

    private UpstreamFailure failure(HttpResponse<InputStream> response) {
        String message;
        try (var body = response.body()) {
            message = upstreamMessage(body.readNBytes(MAX_ERROR_BODY));
        } catch (IOException e) {
            message = "";
        }
        int status = response.statusCode();
        var retryAfter = retryAfter(response.headers().firstValue("Retry-After").orElse(null));
        var detail = "the upstream answered " + status + (message.isEmpty() ? "" : ": " + message);
        if (status == 429) {
            return new UpstreamFailure(UpstreamFailure.Kind.RATE_LIMITED, detail, retryAfter);
        }
        if (status == 401 || status == 403) {
            return new UpstreamFailure(
                    UpstreamFailure.Kind.UNAUTHORIZED,
                    "the upstream refused Colloquy's API key (" + status + ")",
                    null);
        }
        if (status >= 500 || status == 408) {
            return new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR, detail, retryAfter);
        }
        return new UpstreamFailure(UpstreamFailure.Kind.REJECTED, detail, null);
    }

    /** The {@code error.message} of an OpenAI- or Anthropic-shaped error body, shortened. */
    private String upstreamMessage(byte[] bytes) {
        try {
            JsonNode error = json.readTree(bytes).path("error");
            var message = error.isObject() ? error.path("message").asString("") : error.asString("");
            return message.length() > 300 ? message.substring(0, 300) + "..." : message;
        } catch (RuntimeException e) {
            return "";
        }
    }

    static @Nullable Duration retryAfter(@Nullable String header) {
        if (header == null) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(header.strip()) * 1000));
        } catch (NumberFormatException e) {
            try {
                var at = ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return positive(Duration.between(Instant.now(), at.toInstant()));
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }

    private static void close(InputStream body, AtomicBoolean timedOut) {
        timedOut.set(true);
        try {
            body.close();
        } catch (IOException ignored) {
            // closing is the point; a failure to close leaves nothing to do
        }
    }

    /**
     * Closes the stream once no token came for {@code idleNanos}; checks again when the newest token
     * would turn idle, so a stream costs one scheduled check per idle period, not one per token.
     */
    private void watchIdle(
            InputStream body, AtomicBoolean timedOut, AtomicLong lastToken, long idleNanos, AtomicBoolean ended) {
        if (ended.get()) {
            return;
        }
        long quiet = System.nanoTime() - lastToken.get();
        if (quiet >= idleNanos) {
            close(body, timedOut);
            return;
        }
        watchdog.schedule(
                () -> watchIdle(body, timedOut, lastToken, idleNanos, ended), idleNanos - quiet, TimeUnit.NANOSECONDS);
    }

    private static long millisUntil(Instant deadline) {
        return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    }

    static Duration positive(Duration duration) {
        return duration.isNegative() || duration.isZero() ? Duration.ofMillis(1) : duration;
    }
}
