package dev.colloquy.llm.openai;

import dev.colloquy.llm.CachePolicy;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.DocumentRetriever;
import dev.colloquy.llm.DocumentSource;
import dev.colloquy.llm.InvalidRequest;
import dev.colloquy.llm.LlmGateway;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.ModelAccess;
import dev.colloquy.llm.UnsupportedParameters;
import dev.colloquy.llm.provider.openai.OpenAiWire;
import dev.colloquy.platform.Uuid4;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.ServerSentEvents;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI-compatible API, so the official OpenAI SDKs and agent frameworks work unchanged against
 * Colloquy: {@code GET /v1/models}, {@code POST /v1/embeddings} and {@code POST /v1/chat/completions}
 * (whole or streamed, tools, structured output and images included; see docs/llm-gateway.md),
 * authenticated by API key, through the same gateway, limits and ledger as the conversations.
 */
@RestController
@RequestMapping("/v1")
public class OpenAiController {

    /** {@code X-Colloquy-Documents: on} answers from the caller's documents, as a conversation turn does. */
    static final String DOCUMENTS_HEADER = "X-Colloquy-Documents";

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final LlmGateway gateway;
    private final ModelAccess access;
    private final JsonMapper json;
    private final DocumentRetriever retriever;
    private final long started = Instant.now().getEpochSecond();

    OpenAiController(
            LlmGateway gateway,
            ModelAccess access,
            JsonMapper json,
            org.springframework.beans.factory.ObjectProvider<DocumentRetriever> retrievers) {
        this.gateway = gateway;
        this.access = access;
        this.json = json;
        this.retriever = retrievers.getIfAvailable(() -> (userId, question, budget) -> List.of());
    }

    @GetMapping("/models")
    OpenAiApi.ModelList models(@AuthenticationPrincipal CurrentUser caller) {
        return new OpenAiApi.ModelList(
                "list",
                access.visible(caller.id(), caller.apiKey()).stream()
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
            throw new InvalidRequest("'model' is required", "model");
        }
        var input = request.input();
        if (input == null || !(input.isString() || input.isArray()) || input.isEmpty() && !input.isString()) {
            throw new InvalidRequest("'input' must be a string or a non-empty array", "input");
        }
        if (input.isArray() && input.size() > 2_048) {
            throw new InvalidRequest("'input' holds at most 2,048 items", "input");
        }
        return gateway.embed(caller, request.model(), input);
    }

    @PostMapping("/chat/completions")
    @Nullable
    ResponseEntity<JsonNode> chat(
            @AuthenticationPrincipal CurrentUser caller,
            @RequestBody ObjectNode body,
            @RequestHeader(value = HttpHeaders.CACHE_CONTROL, required = false) @Nullable String cacheControl,
            @RequestHeader(value = DOCUMENTS_HEADER, required = false) @Nullable String documents,
            HttpServletResponse response)
            throws IOException {
        long requestStarted = System.nanoTime();
        boolean streamed = OpenAiRequests.streamed(body);
        var request = OpenAiRequests.read(caller, body, CachePolicy.fromCacheControl(cacheControl));
        var model = gateway.resolve(caller.id(), caller.apiKey(), request.model());
        if (documents != null && documents.strip().equalsIgnoreCase("on")) {
            request = withDocuments(request, model);
        }
        if (model.dropParams()) {
            var dropped = gateway.unsupported(model, request);
            if (!dropped.isEmpty()) {
                response.setHeader(UnsupportedParameters.DROPPED_HEADER, String.join(", ", dropped));
            }
        }
        var id = "chatcmpl-" + Uuid4.hex();
        long created = Instant.now().getEpochSecond();
        if (streamed) {
            stream(request, model, id, created, OpenAiRequests.includeUsage(body), response);
            return null;
        }
        var assembler = new ChunkAssembler();
        var answer = new OpenAiAnswer(assembler::add, id, created, model.name(), true);
        var completion = gateway.complete(request, answer);
        answer.finish(completion);
        return ResponseEntity.ok()
                .header("X-Colloquy-Overhead-Ms", Long.toString(overheadMillis(requestStarted, completion)))
                .header("X-Colloquy-Cache", completion.cached() ? "hit" : "miss")
                .body(assembler.result());
    }

    private void stream(
            ChatRequest request,
            LlmModel model,
            String id,
            long created,
            boolean includeUsage,
            HttpServletResponse response)
            throws IOException {
        // chunks are written as they come and flushed when the producer waits: chunks the upstream
        // sent together reach the client in one write
        var stream = ServerSentEvents.lazily(response);
        var out = new OpenAiAnswer.Out() {
            @Override
            public void chunk(JsonNode chunk) throws IOException {
                stream.write(null, json.writeValueAsBytes(chunk));
            }

            @Override
            public void flush() throws IOException {
                stream.flush();
            }
        };
        var answer = new OpenAiAnswer(out, id, created, model.name(), includeUsage);
        Completion completion;
        try {
            completion = gateway.complete(request, answer);
        } catch (RuntimeException e) {
            if (!stream.opened()) {
                throw e;
            }
            stream.send(null, json.writeValueAsBytes(OpenAiErrors.streamed(e)));
            return;
        }
        try {
            // not flushed: the response ends here, and the servlet container writes what is left of
            // it, the last chunks, [DONE] and the end of the chunked body, in one write
            answer.finish(completion);
            stream.write(null, DONE);
        } catch (IOException clientGone) {
            // the answer was billed; nothing is left to send it to
        }
    }

    /**
     * The request with passages of the caller's documents for its last user message, put after its
     * leading instructions (as a conversation turn does), in the typed messages and the wire body
     * alike.
     */
    private ChatRequest withDocuments(ChatRequest request, LlmModel model) {
        var question = request.messages().reversed().stream()
                .filter(m -> m instanceof LlmMessage.User)
                .findFirst()
                .map(LlmMessage::text)
                .orElse("");
        var sources = retriever.sourcesFor(request.userId(), question, model.contextWindow() / 4);
        if (sources.isEmpty()) {
            return request;
        }
        var messages = new ArrayList<>(request.messages());
        int at = 0;
        while (at < messages.size() && messages.get(at) instanceof LlmMessage.Instruction) {
            at++;
        }
        var passages = new LlmMessage.Instruction("system", DocumentSource.prompt(sources));
        messages.add(at, passages);
        var body = request.openAiBody() == null ? null : request.openAiBody().deepCopy();
        if (body != null) {
            ((ArrayNode) body.get("messages")).insert(at, OpenAiWire.message(passages));
        }
        return request.withSources(messages, sources, body);
    }

    private static long overheadMillis(long started, Completion completion) {
        var total = (System.nanoTime() - started) / 1_000_000;
        var model = completion.latency().minus(completion.overhead()).toMillis();
        return Math.max(0, total - model);
    }
}
