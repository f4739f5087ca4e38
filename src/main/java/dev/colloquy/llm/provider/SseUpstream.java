package dev.colloquy.llm.provider;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.TokenUsage;
import dev.colloquy.llm.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
@org.springframework.stereotype.Component
public final class SseUpstream {

    /** Reads one provider's events. */
    public interface Chunks {

        /**
         * Takes one {@code data:} payload; returns the events it holds (none, for bookkeeping events)
         * and notes usage, the finish reason or the end of the stream in the state. Throws to report an
         * error event.
         */
        List<StreamEvent> read(JsonNode event, State state) throws UpstreamFailure;
    }

    /** What the events told so far. */
    public static final class State {
        public @Nullable TokenUsage usage;
        public @Nullable FinishReason finish;

        public boolean done;
    }

    private static final int MAX_ERROR_BODY = 16 * 1024;

    private final HttpClient client;
    private final JsonMapper json;
    private final ScheduledThreadPoolExecutor watchdog;

    @org.springframework.beans.factory.annotation.Autowired
    SseUpstream(dev.colloquy.llm.LlmProperties properties, JsonMapper json) {
        this(properties.connectTimeout(), json);
    }

    public SseUpstream(Duration connectTimeout, JsonMapper json) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        this.json = json;
        // a stream's deadlines are cancelled when it ends, mostly minutes before they are due: removed
        // from the queue at once, or every finished stream's response stays reachable until then
        this.watchdog = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("llm-watchdog").factory());
        watchdog.setRemoveOnCancelPolicy(true);
    }

    public JsonMapper json() {
        return json;
    }

    /** Deadlines and idle checks still queued: none once every stream read so far has ended. */
    int pendingDeadlines() {
        return watchdog.getQueue().size();
    }

    /** POSTs the JSON body; answers the response of a 200, or throws what the failure means. */
    public HttpResponse<InputStream> post(URI uri, Map<String, String> headers, Object body, Instant answerBy)
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

    /**
     * Reads the event stream, handing events to the sink as they come. Events that carry none of the
     * answer (an OpenAI chunk with only the role) are held until the first that does, so a call
     * retried before its first token leaves nothing behind at the client.
     */
    public ProviderResult stream(
            InputStream body, ChatRequest request, AnswerSink sink, ChatProvider.Deadlines deadlines, Chunks chunks)
            throws UpstreamFailure {
        var answer = new AnswerRecorder();
        var held = new ArrayList<StreamEvent>();
        var state = new State();
        var timedOut = new AtomicBoolean();
        var guard = watchdog.schedule(
                () -> close(body, timedOut), millisUntil(deadlines.firstToken()), TimeUnit.MILLISECONDS);
        var lastToken = new AtomicLong();
        var ended = new AtomicBoolean();
        var idleCheck = new AtomicReference<@Nullable ScheduledFuture<?>>();
        boolean first = true;
        // events the upstream sent together reach the client in one write: the sink is flushed only
        // before a read that waits for the upstream, and at the end
        var clientGone = new AtomicBoolean();
        SseLines.Waiting flush = () -> {
            try {
                sink.flush();
            } catch (IOException e) {
                clientGone.set(true);
                throw e;
            }
        };
        try (var lines = new SseLines(body)) {
            for (var line = lines.next(flush); line != null && !state.done; line = lines.next(flush)) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                var data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    state.done = true;
                    break;
                }
                var events = chunks.read(json.readTree(data), state);
                boolean progress = false;
                for (var event : events) {
                    progress |= AnswerRecorder.carries(event);
                }
                if (first && !progress) {
                    held.addAll(events);
                    continue;
                }
                if (first) {
                    first = false;
                    guard.cancel(false);
                    guard = watchdog.schedule(
                            () -> close(body, timedOut), millisUntil(deadlines.total()), TimeUnit.MILLISECONDS);
                    lastToken.set(System.nanoTime());
                    watchIdle(body, timedOut, lastToken, deadlines.idle().toNanos(), ended, idleCheck);
                    held.addAll(events);
                    events = held;
                } else if (progress) {
                    lastToken.set(System.nanoTime());
                }
                try {
                    for (var event : events) {
                        sink.accept(event);
                        answer.record(event);
                    }
                } catch (IOException gone) {
                    return result(request, answer, state, FinishReason.CLIENT_DISCONNECTED);
                }
            }
        } catch (UpstreamFailure failure) {
            if (answer.isEmpty()) {
                throw failure;
            }
            return result(request, answer, state, FinishReason.UPSTREAM_CUT);
        } catch (IOException | RuntimeException e) {
            if (clientGone.get()) {
                return result(request, answer, state, FinishReason.CLIENT_DISCONNECTED);
            }
            if (answer.isEmpty()) {
                throw new UpstreamFailure(
                        timedOut.get() ? UpstreamFailure.Kind.TIMEOUT : UpstreamFailure.Kind.BROKEN_STREAM,
                        timedOut.get() ? "the upstream sent no token in time" : "the upstream stream broke off",
                        null);
            }
            return result(request, answer, state, timedOut.get() ? FinishReason.TIMEOUT : FinishReason.UPSTREAM_CUT);
        } finally {
            guard.cancel(false);
            ended.set(true);
            var pending = idleCheck.get();
            if (pending != null) {
                pending.cancel(false);
            }
        }
        if (!state.done && state.finish == null) {
            if (answer.isEmpty()) {
                throw new UpstreamFailure(
                        UpstreamFailure.Kind.BROKEN_STREAM, "the upstream stream ended without an answer", null);
            }
            return result(request, answer, state, FinishReason.UPSTREAM_CUT);
        }
        try {
            if (first) {
                for (var event : held) {
                    sink.accept(event); // an answer with nothing in it: its chunks still reach the client
                }
            }
            sink.flush();
        } catch (IOException gone) {
            return result(request, answer, state, FinishReason.CLIENT_DISCONNECTED);
        }
        return result(request, answer, state, state.finish == null ? FinishReason.STOP : state.finish);
    }

    private static ProviderResult result(ChatRequest request, AnswerRecorder answer, State state, FinishReason finish) {
        var usage = state.usage != null ? state.usage : TokenUsage.of(Tokens.estimate(request), answer.countTokens());
        if (state.usage != null && !finish.complete() && state.usage.output() == 0) {
            usage = new TokenUsage(usage.input(), answer.countTokens(), usage.cachedInput(), usage.cacheWrite(), 0);
        }
        return new ProviderResult(answer.text(), answer.toolCalls(), usage, finish);
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
     * would turn idle, so a stream costs one scheduled check per idle period, not one per token. The
     * pending check is kept in {@code next} for the stream to cancel when it ends.
     */
    private void watchIdle(
            InputStream body,
            AtomicBoolean timedOut,
            AtomicLong lastToken,
            long idleNanos,
            AtomicBoolean ended,
            AtomicReference<@Nullable ScheduledFuture<?>> next) {
        if (ended.get()) {
            return;
        }
        long quiet = System.nanoTime() - lastToken.get();
        if (quiet >= idleNanos) {
            close(body, timedOut);
            return;
        }
        next.set(watchdog.schedule(
                () -> watchIdle(body, timedOut, lastToken, idleNanos, ended, next),
                idleNanos - quiet,
                TimeUnit.NANOSECONDS));
    }

    private static long millisUntil(Instant deadline) {
        return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    }

    static Duration positive(Duration duration) {
        return duration.isNegative() || duration.isZero() ? Duration.ofMillis(1) : duration;
    }
}
