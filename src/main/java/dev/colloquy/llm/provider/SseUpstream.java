package dev.colloquy.llm.provider;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.TokenUsage;
import dev.colloquy.llm.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every streaming HTTP upstream shares: the HTTP client (Apache HttpClient 5, classic, blocking
 * on the caller's virtual thread, HTTP/1.1, pooled connections), the mapping of HTTP failures to
 * retriable or final ones (with {@code Retry-After}), and the reading of a server-sent event stream
 * under deadlines: a watchdog drops the upstream connection when the answer's headers, the first
 * token or the whole answer are overdue, or when tokens stop coming half-way, which also ends the
 * upstream's work on the call. Each provider supplies its request and a {@link Chunks} reader for
 * its events.
 */
@org.springframework.stereotype.Component
public final class SseUpstream implements AutoCloseable {

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
    private static final long MAX_DEADLINE_MILLIS = Duration.ofDays(365).toMillis();
    /**
     * Connections to one upstream, and to all: no limit of their own (the calls a replica makes at
     * once are bounded by {@code colloquy.web.max-in-flight}), only a bound far above it.
     */
    private static final int MAX_CONNECTIONS = 4_096;

    private final CloseableHttpClient client;
    private final JsonMapper json;
    private final Watchdog watchdog = new Watchdog("llm-watchdog");

    @org.springframework.beans.factory.annotation.Autowired
    SseUpstream(dev.colloquy.llm.LlmProperties properties, JsonMapper json) {
        this(properties.connectTimeout(), json);
    }

    public SseUpstream(Duration connectTimeout, JsonMapper json) {
        // no read timeout (Apache's default is 3 minutes): the watchdog holds every deadline of a
        // call, and a timed read would cost every read a timed park of the virtual thread; connections
        // idle for a minute are closed, and one idle for over two seconds is checked before reuse
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS)
                        .setDefaultSocketConfig(SocketConfig.custom()
                                .setTcpNoDelay(true)
                                .setSoTimeout(Timeout.DISABLED)
                                .build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .setSocketTimeout(Timeout.DISABLED)
                                .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                                .build())
                        .build())
                .evictIdleConnections(TimeValue.ofMinutes(1))
                // a retry is the router's decision (another attempt, another model), and an answer's
                // encoding is the upstream's: none of these is the client's
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .build();
        this.json = json;
    }

    public JsonMapper json() {
        return json;
    }

    /** Calls whose deadlines are still watched: none once every stream read so far has ended. */
    int pendingDeadlines() {
        return watchdog.size();
    }

    /**
     * POSTs the JSON body; answers the response of a 200, or throws what the failure means. The
     * connection is dropped if the answer is not there by {@code answerBy}: its headers, and for a
     * caller that reads the body itself, its body too.
     */
    public UpstreamResponse post(URI uri, Map<String, String> headers, Object body, Instant answerBy)
            throws UpstreamFailure {
        var request = new HttpPost(uri);
        var untilAnswer = Timeout.ofMilliseconds(millisUntil(answerBy));
        request.setConfig(
                RequestConfig.custom().setConnectionRequestTimeout(untilAnswer).build());
        request.setHeader("Content-Type", "application/json");
        headers.forEach(request::setHeader);
        request.setEntity(new ByteArrayEntity(json.writeValueAsBytes(body), null));
        var timedOut = new AtomicBoolean();
        var deadline = watchdog.watch(dueAt(answerBy), () -> {
            timedOut.set(true);
            request.cancel();
        });
        ClassicHttpResponse response;
        try {
            response = client.execute(request);
        } catch (IOException e) {
            watchdog.forget(deadline);
            throw sendFailure(e, timedOut.get());
        }
        if (response.getCode() != 200) {
            var failure = failure(response);
            drop(deadline, request, response); // an error body is not read to its end
            throw failure;
        }
        try {
            var entity = response.getEntity();
            var stream = entity == null ? InputStream.nullInputStream() : entity.getContent();
            return new UpstreamResponse(request, response, stream, () -> watchdog.forget(deadline));
        } catch (IOException e) {
            drop(deadline, request, response);
            throw new UpstreamFailure(UpstreamFailure.Kind.CONNECTION, "the upstream connection failed", null);
        }
    }

    /** Gives up on an answer before its body is read: no deadline left, the connection dropped. */
    private void drop(Watchdog.Watch deadline, HttpPost request, ClassicHttpResponse response) {
        watchdog.forget(deadline);
        request.cancel();
        try {
            response.close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }

    private static UpstreamFailure sendFailure(IOException e, boolean timedOut) {
        if (timedOut
                || e instanceof InterruptedIOException
                        && !Thread.currentThread().isInterrupted()) {
            // the watchdog's deadline, a connect timeout, or no pooled connection free in time
            return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no answer before the timeout", null);
        }
        if (e instanceof ConnectException) {
            return new UpstreamFailure(UpstreamFailure.Kind.CONNECTION, "cannot connect to the upstream", null);
        }
        return new UpstreamFailure(
                UpstreamFailure.Kind.CONNECTION,
                Thread.currentThread().isInterrupted() ? "interrupted" : "the upstream connection failed",
                null);
    }

    /**
     * Reads the event stream, handing events to the sink as they come. Events that carry none of the
     * answer (an OpenAI chunk with only the role) are held until the first that does, so a call
     * retried before its first token leaves nothing behind at the client.
     */
    public ProviderResult stream(
            UpstreamResponse response,
            ChatRequest request,
            AnswerSink sink,
            ChatProvider.Deadlines deadlines,
            Chunks chunks)
            throws UpstreamFailure {
        var answer = new AnswerRecorder();
        var held = new ArrayList<StreamEvent>();
        var state = new State();
        var timedOut = new AtomicBoolean();
        var deadline = watchdog.watch(dueAt(deadlines.firstToken()), () -> abort(response, timedOut));
        response.takeOverDeadline();
        boolean first = true;
        // events the upstream sent together reach the client in one write: the sink is flushed only
        // before a read that waits for the upstream (the caller writes the end of the answer)
        var clientGone = new AtomicBoolean();
        SseLines.Waiting flush = () -> {
            try {
                sink.flush();
            } catch (IOException e) {
                clientGone.set(true);
                throw e;
            }
        };
        // read to its end (the last event, or the end of the body): the connection is kept for the
        // next call; any other way out drops it, so the upstream stops working on the answer
        boolean readToEnd = false;
        try {
            var lines = new SseLines(response.body());
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
                    deadline.tokensFlow(dueAt(deadlines.total()), deadlines.idle());
                    held.addAll(events);
                    events = held;
                } else if (progress) {
                    deadline.token();
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
            readToEnd = true;
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
            // before the deadlines stop: they also bound what is left to read of a finished answer
            release(response, readToEnd);
            watchdog.forget(deadline);
        }
        if (!state.done && state.finish == null) {
            if (answer.isEmpty()) {
                throw new UpstreamFailure(
                        UpstreamFailure.Kind.BROKEN_STREAM, "the upstream stream ended without an answer", null);
            }
            return result(request, answer, state, FinishReason.UPSTREAM_CUT);
        }
        if (first) {
            try {
                for (var event : held) {
                    sink.accept(event); // an answer with nothing in it: its chunks still reach the client
                }
            } catch (IOException gone) {
                return result(request, answer, state, FinishReason.CLIENT_DISCONNECTED);
            }
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

    private UpstreamFailure failure(ClassicHttpResponse response) {
        String message;
        try {
            var entity = response.getEntity();
            message = entity == null ? "" : upstreamMessage(entity.getContent().readNBytes(MAX_ERROR_BODY));
        } catch (IOException e) {
            message = "";
        }
        int status = response.getCode();
        var header = response.getFirstHeader("Retry-After");
        var retryAfter = retryAfter(header == null ? null : header.getValue());
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

    private static void abort(UpstreamResponse response, AtomicBoolean timedOut) {
        timedOut.set(true);
        response.abort();
    }

    /** Ends the call: keeps the connection of an answer read to its end, drops any other. */
    private static void release(UpstreamResponse response, boolean readToEnd) {
        if (!readToEnd) {
            response.abort();
        }
        try {
            response.close();
        } catch (IOException | RuntimeException ignored) {
            // what was left of a finished answer could not be read: the connection is dropped
            // instead, and the answer already read stands
            response.abort();
        }
    }

    /** Stops the client and the watchdog when the application stops. */
    @Override
    public void close() throws IOException {
        watchdog.close();
        client.close();
    }

    private static long millisUntil(Instant deadline) {
        return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    }

    /** The deadline as a nano time, at most a year ahead. */
    private static long dueAt(Instant deadline) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(millisUntil(deadline), MAX_DEADLINE_MILLIS));
    }

    static Duration positive(Duration duration) {
        return duration.isNegative() || duration.isZero() ? Duration.ofMillis(1) : duration;
    }
}
