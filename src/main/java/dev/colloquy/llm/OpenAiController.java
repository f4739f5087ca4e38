package dev.colloquy.llm;

import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.ServerSentEvents;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI-compatible API, so the official OpenAI SDKs work unchanged against Colloquy: {@code GET
 * /v1/models} and {@code POST /v1/chat/completions} (whole or streamed, with {@code
 * stream_options.include_usage}), authenticated by API key, through the same gateway, limits and
 * ledger as the conversations.
 */
@RestController
@RequestMapping("/v1")
class OpenAiController {

    /** {@code X-Colloquy-Documents: on} answers from the caller's documents, as a conversation turn does. */
    static final String DOCUMENTS_HEADER = "X-Colloquy-Documents";

    static final int MAX_MESSAGES = 1_000;

    private final LlmGateway gateway;
    private final ModelRegistry models;
    private final JsonMapper json;
    private final DocumentRetriever retriever;
    private final long started = Instant.now().getEpochSecond();

    OpenAiController(
            LlmGateway gateway,
            ModelRegistry models,
            JsonMapper json,
            org.springframework.beans.factory.ObjectProvider<DocumentRetriever> retrievers) {
        this.gateway = gateway;
        this.models = models;
        this.json = json;
        this.retriever = retrievers.getIfAvailable(() -> (userId, question, budget) -> List.of());
    }

    @GetMapping("/models")
    OpenAiApi.ModelList models() {
        return new OpenAiApi.ModelList(
                "list",
                models.all().stream()
                        .map(model -> new OpenAiApi.Model(
                                model.name(), "model", started, model.isLocal() ? "colloquy" : model.provider()))
                        .toList());
    }

    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    record EmbeddingsRequest(@Nullable String model, tools.jackson.databind.@Nullable JsonNode input) {}

    /** Embeddings from the model's upstream, passed through as it answered them, and billed. */
    @PostMapping("/embeddings")
    tools.jackson.databind.JsonNode embeddings(
            @AuthenticationPrincipal CurrentUser caller, @RequestBody EmbeddingsRequest request) {
        if (request.model() == null || request.model().isBlank()) {
            throw new InvalidOpenAiRequest("'model' is required", "model");
        }
        var input = request.input();
        if (input == null || !(input.isString() || input.isArray()) || input.isEmpty() && !input.isString()) {
            throw new InvalidOpenAiRequest("'input' must be a string or a non-empty array", "input");
        }
        if (input.isArray() && input.size() > 2_048) {
            throw new InvalidOpenAiRequest("'input' holds at most 2,048 items", "input");
        }
        return gateway.embed(caller, request.model(), input);
    }

    @PostMapping("/chat/completions")
    @Nullable
    ResponseEntity<OpenAiApi.ChatCompletion> chat(
            @AuthenticationPrincipal CurrentUser caller,
            @RequestBody OpenAiApi.ChatCompletionRequest request,
            @RequestHeader(value = HttpHeaders.CACHE_CONTROL, required = false) @Nullable String cacheControl,
            @RequestHeader(value = DOCUMENTS_HEADER, required = false) @Nullable String documents,
            HttpServletResponse response)
            throws IOException {
        long requestStarted = System.nanoTime();
        var chatRequest = toChatRequest(caller, request, CachePolicy.fromCacheControl(cacheControl));
        var model = gateway.resolve(chatRequest.model());
        if (documents != null && documents.strip().equalsIgnoreCase("on")) {
            chatRequest = withDocuments(chatRequest, model);
        }
        var id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        if (request.streamed()) {
            stream(chatRequest, model, id, created, request.includeUsage(), response);
            return null;
        }
        var completion = gateway.complete(chatRequest, TokenSink.DISCARD);
        var body = new OpenAiApi.ChatCompletion(
                id,
                "chat.completion",
                created,
                completion.model(),
                List.of(new OpenAiApi.Choice(
                        0, new OpenAiApi.ResponseMessage("assistant", completion.text()), finishReason(completion))),
                OpenAiApi.Usage.of(completion));
        return ResponseEntity.ok()
                .header("X-Colloquy-Overhead-Ms", Long.toString(overheadMillis(requestStarted, completion)))
                .header("X-Colloquy-Cache", completion.cached() ? "hit" : "miss")
                .body(body);
    }

    private void stream(
            ChatRequest request,
            LlmModel model,
            String id,
            long created,
            boolean includeUsage,
            HttpServletResponse response)
            throws IOException {
        var opened = new boolean[1];
        TokenSink sink = token -> {
            if (!opened[0]) {
                opened[0] = true;
                ServerSentEvents.open(response);
                chunk(response, id, created, model.name(), delta("assistant", "", null), null);
            }
            chunk(response, id, created, model.name(), delta(null, token, null), null);
        };
        Completion completion;
        try {
            completion = gateway.complete(request, sink);
        } catch (RuntimeException e) {
            if (!opened[0]) {
                throw e;
            }
            var error = OpenAiApi.error("The model failed mid-answer; retry", "server_error", null);
            ServerSentEvents.send(response, null, json.writeValueAsBytes(error));
            return;
        }
        try {
            if (!opened[0]) {
                ServerSentEvents.open(response);
                chunk(response, id, created, completion.model(), delta("assistant", "", null), null);
            }
            chunk(response, id, created, completion.model(), delta(null, null, finishReason(completion)), null);
            if (includeUsage) {
                chunk(response, id, created, completion.model(), List.of(), OpenAiApi.Usage.of(completion));
            }
            ServerSentEvents.send(response, null, "[DONE]".getBytes(StandardCharsets.UTF_8));
        } catch (IOException clientGone) {
            // the answer was billed; nothing is left to send it to
        }
    }

    private static List<OpenAiApi.ChunkChoice> delta(
            @Nullable String role, @Nullable String content, @Nullable String finish) {
        return List.of(new OpenAiApi.ChunkChoice(0, new OpenAiApi.Delta(role, content), finish));
    }

    private void chunk(
            HttpServletResponse response,
            String id,
            long created,
            String model,
            List<OpenAiApi.ChunkChoice> choices,
            OpenAiApi.@Nullable Usage usage)
            throws IOException {
        ServerSentEvents.send(
                response,
                null,
                json.writeValueAsBytes(
                        new OpenAiApi.Chunk(id, "chat.completion.chunk", created, model, choices, usage)));
    }

    /**
     * The request with passages of the caller's documents for its last user message, put after its
     * leading system messages (as a conversation turn does).
     */
    private ChatRequest withDocuments(ChatRequest request, LlmModel model) {
        var question = request.messages().reversed().stream()
                .filter(m -> m.role().equals("user"))
                .findFirst()
                .map(LlmMessage::content)
                .orElse("");
        var sources = retriever.sourcesFor(request.userId(), question, model.contextWindow() / 4);
        if (sources.isEmpty()) {
            return request;
        }
        var messages = new ArrayList<>(request.messages());
        int at = 0;
        while (at < messages.size() && messages.get(at).role().equals("system")) {
            at++;
        }
        messages.add(at, new LlmMessage("system", DocumentSource.prompt(sources)));
        return new ChatRequest(
                request.userId(),
                request.model(),
                messages,
                request.temperature(),
                request.maxTokens(),
                request.conversationId(),
                request.notRetrieved(),
                request.cache(),
                request.apiKey(),
                sources);
    }

    private static ChatRequest toChatRequest(
            CurrentUser caller, OpenAiApi.ChatCompletionRequest request, CachePolicy cache) {
        if (request.messages() == null || request.messages().isEmpty()) {
            throw new InvalidOpenAiRequest("'messages' must hold at least one message", "messages");
        }
        if (request.messages().size() > MAX_MESSAGES) {
            throw new InvalidOpenAiRequest("'messages' holds at most " + MAX_MESSAGES + " messages", "messages");
        }
        var messages = new ArrayList<LlmMessage>();
        for (var message : request.messages()) {
            var role = message.role() == null ? "" : message.role();
            if (role.equals("developer")) {
                role = "system";
            }
            if (!Set.of("system", "user", "assistant").contains(role)) {
                throw new InvalidOpenAiRequest(
                        "role '" + role + "' is not supported; use system, developer, user or assistant", "messages");
            }
            var text = message.text();
            if (text.indexOf('\0') >= 0) {
                throw new InvalidOpenAiRequest("message content must not contain NUL characters", "messages");
            }
            messages.add(new LlmMessage(role, text));
        }
        if (request.temperature() != null && (request.temperature() < 0 || request.temperature() > 2)) {
            throw new InvalidOpenAiRequest("'temperature' must be between 0 and 2", "temperature");
        }
        if (request.tokenLimit() != null && request.tokenLimit() < 1) {
            throw new InvalidOpenAiRequest("'max_tokens' must be positive", "max_tokens");
        }
        return new ChatRequest(
                caller.id(),
                request.model(),
                messages,
                request.temperature(),
                request.tokenLimit(),
                null,
                Set.of(),
                cache,
                caller.apiKey(),
                List.of());
    }

    private static String finishReason(Completion completion) {
        if (completion.complete()) {
            return completion.finishReason().isEmpty() ? "stop" : completion.finishReason();
        }
        return "length";
    }

    private static long overheadMillis(long started, Completion completion) {
        var total = (System.nanoTime() - started) / 1_000_000;
        var model = completion.latency().minus(completion.overhead()).toMillis();
        return Math.max(0, total - model);
    }
}
