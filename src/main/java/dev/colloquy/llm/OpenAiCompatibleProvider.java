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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Any OpenAI-compatible chat completions API (OpenAI, vLLM, Ollama, llama.cpp, LM Studio, OpenRouter,
 * ...), always streamed with {@code stream_options.include_usage}, so that tokens reach the client as
 * they come and the upstream's own token counts are billed. A watchdog closes the stream when the
 * first token or the whole answer is overdue; closing it also cancels the upstream request.
 */
final class OpenAiCompatibleProvider implements ChatProvider {

    private static final int MAX_ERROR_BODY = 16 * 1024;

    private final HttpClient client;
    private final JsonMapper json;
    private final ScheduledExecutorService watchdog;

    OpenAiCompatibleProvider(Duration connectTimeout, JsonMapper json) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        this.json = json;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("llm-watchdog").factory());
    }

    @Override
    public ProviderResult stream(LlmModel model, ChatRequest request, TokenSink sink, Deadlines deadlines)
            throws UpstreamFailure {
        var http = HttpRequest.newBuilder(URI.create(model.baseUrl() + "/chat/completions"))
                .timeout(positive(Duration.between(Instant.now(), deadlines.firstToken())))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body(model, request))));
        if (model.apiKey() != null && !model.apiKey().isBlank()) {
            http.header("Authorization", "Bearer " + model.apiKey());
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(http.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no answer before the first-token timeout", null);
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
        return read(response.body(), request, sink, deadlines);
    }

    /** What an upstream's {@code /embeddings} answered: its JSON as it came, and the tokens billed. */
    record Embeddings(JsonNode body, int inputTokens) {}

    Embeddings embed(LlmModel model, JsonNode input, Deadlines deadlines) throws UpstreamFailure {
        var body = Map.of("model", model.upstreamModel(), "input", input);
        var http = HttpRequest.newBuilder(URI.create(model.baseUrl() + "/embeddings"))
                .timeout(positive(Duration.between(Instant.now(), deadlines.total())))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        if (model.apiKey() != null && !model.apiKey().isBlank()) {
            http.header("Authorization", "Bearer " + model.apiKey());
        }
        try {
            var response = client.send(http.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw failure(response);
            }
            try (var stream = response.body()) {
                var answer = json.readTree(stream);
                return new Embeddings(
                        answer, answer.path("usage").path("prompt_tokens").asInt(0));
            }
        } catch (HttpTimeoutException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no embeddings before the timeout", null);
        } catch (IOException | RuntimeException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.CONNECTION, "the upstream embeddings call failed", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamFailure(UpstreamFailure.Kind.CONNECTION, "interrupted", null);
        }
    }

    private ProviderResult read(InputStream body, ChatRequest request, TokenSink sink, Deadlines deadlines)
            throws UpstreamFailure {
        var text = new StringBuilder();
        var timedOut = new AtomicBoolean();
        var guard = watchdog.schedule(
                () -> close(body, timedOut), millisUntil(deadlines.firstToken()), TimeUnit.MILLISECONDS);
        int inputTokens = -1;
        int outputTokens = -1;
        String finishReason = "";
        boolean done = false;
        boolean first = true;
        try (var lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (var line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                var data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    done = true;
                    break;
                }
                var chunk = json.readTree(data);
                var usage = chunk.get("usage");
                if (usage != null && usage.isObject()) {
                    inputTokens = usage.path("prompt_tokens").asInt(-1);
                    outputTokens = usage.path("completion_tokens").asInt(-1);
                }
                var choice = chunk.path("choices").path(0);
                var reason = choice.path("finish_reason");
                if (reason.isString()) {
                    finishReason = reason.asString();
                }
                var content = choice.path("delta").path("content");
                if (content.isString() && !content.asString().isEmpty()) {
                    if (first) {
                        first = false;
                        guard.cancel(false);
                        guard = watchdog.schedule(
                                () -> close(body, timedOut), millisUntil(deadlines.total()), TimeUnit.MILLISECONDS);
                    }
                    try {
                        sink.accept(content.asString());
                    } catch (IOException clientGone) {
                        return result(request, text, inputTokens, outputTokens, false, "client_disconnected");
                    }
                    text.append(content.asString());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (text.isEmpty()) {
                throw new UpstreamFailure(
                        timedOut.get() ? UpstreamFailure.Kind.TIMEOUT : UpstreamFailure.Kind.BROKEN_STREAM,
                        timedOut.get() ? "the upstream sent no token in time" : "the upstream stream broke off",
                        null);
            }
            return result(request, text, inputTokens, outputTokens, false, timedOut.get() ? "timeout" : "upstream_cut");
        } finally {
            guard.cancel(false);
        }
        if (!done && finishReason.isEmpty()) {
            if (text.isEmpty()) {
                throw new UpstreamFailure(
                        UpstreamFailure.Kind.BROKEN_STREAM, "the upstream stream ended without an answer", null);
            }
            return result(request, text, inputTokens, outputTokens, false, "upstream_cut");
        }
        return result(request, text, inputTokens, outputTokens, true, finishReason.isEmpty() ? "stop" : finishReason);
    }

    private static ProviderResult result(
            ChatRequest request,
            StringBuilder text,
            int inputTokens,
            int outputTokens,
            boolean complete,
            String reason) {
        return new ProviderResult(
                text.toString(),
                inputTokens >= 0 ? inputTokens : Tokens.count(request.messages()),
                outputTokens >= 0 ? outputTokens : Tokens.count(text.toString()),
                complete,
                reason);
    }

    private Map<String, Object> body(LlmModel model, ChatRequest request) {
        var body = new LinkedHashMap<String, Object>();
        body.put("model", model.upstreamModel());
        body.put(
                "messages",
                request.messages().stream()
                        .map(m -> Map.of("role", m.role(), "content", m.content()))
                        .toList());
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.maxTokens() != null) {
            body.put("max_tokens", request.maxTokens());
        }
        return body;
    }

    private UpstreamFailure failure(HttpResponse<InputStream> response) {
        String message;
        try (var body = response.body()) {
            var bytes = body.readNBytes(MAX_ERROR_BODY);
            message = upstreamMessage(bytes);
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
                var at = java.time.ZonedDateTime.parse(
                        header.strip(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
                return positive(Duration.between(Instant.now(), at.toInstant()));
            } catch (java.time.format.DateTimeParseException ignored) {
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

    private static long millisUntil(Instant deadline) {
        return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    }

    private static Duration positive(Duration duration) {
        return duration.isNegative() || duration.isZero() ? Duration.ofMillis(1) : duration;
    }
}
