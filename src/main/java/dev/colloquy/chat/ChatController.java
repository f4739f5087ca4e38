package dev.colloquy.chat;

import dev.colloquy.cache.InvalidateCache;
import dev.colloquy.cache.ResponseCaching;
import dev.colloquy.conversation.Citation;
import dev.colloquy.conversation.ConversationManagement;
import dev.colloquy.conversation.Message;
import dev.colloquy.conversation.NewImage;
import dev.colloquy.llm.TokenSink;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.ApiProblem;
import dev.colloquy.web.IdempotentRequest;
import dev.colloquy.web.InvalidParameter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/conversations/{id}/messages}: one chat turn ({@code editOf}: as a new version of an
 * earlier question); {@code POST /api/conversations/{id}/messages/{messageId}/regenerate}: a new answer
 * beside an answer. With {@code Accept: text/event-stream} the answer streams as server-sent events
 * ({@code user_message}, {@code token}..., then {@code done} or {@code error}); otherwise the whole
 * turn comes back as JSON.
 */
@RestController
class ChatController {

    static final String OVERHEAD_HEADER = "X-Colloquy-Overhead-Ms";

    record PostMessage(
            @NotBlank
            @Size(max = ConversationManagement.MAX_CONTENT)
            @Pattern(regexp = "[^\\x00]*+", message = "must not contain NUL characters")
            String content,

            @Nullable UUID editOf) {}

    record Usage(int inputTokens, int outputTokens, BigDecimal costUsd) {}

    record TurnView(
            Message userMessage,
            Message assistantMessage,
            String model,
            Usage usage,
            boolean complete,
            boolean cached,
            List<Citation> citations,
            long overheadMs) {

        static TurnView of(ChatTurns.Turn turn, long overheadMs) {
            var completion = turn.completion();
            return new TurnView(
                    turn.userMessage(),
                    turn.assistantMessage(),
                    completion.model(),
                    new Usage(completion.inputTokens(), completion.outputTokens(), completion.costUsd()),
                    completion.complete(),
                    completion.cached(),
                    turn.citations(),
                    overheadMs);
        }
    }

    record Token(String text) {}

    private final ChatTurns turns;
    private final AttachedImages attachedImages;
    private final ResponseCaching caching;
    private final JsonMapper json;

    ChatController(ChatTurns turns, AttachedImages attachedImages, ResponseCaching caching, JsonMapper json) {
        this.turns = turns;
        this.attachedImages = attachedImages;
        this.caching = caching;
        this.json = json;
    }

    @PostMapping("/api/conversations/{conversationId}/messages")
    @InvalidateCache({"conversations:*", "conversation:*"})
    @Nullable
    ResponseEntity<TurnView> post(
            @AuthenticationPrincipal CurrentUser caller,
            @PathVariable UUID conversationId,
            @Valid @RequestBody PostMessage request,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
            HttpServletRequest http,
            HttpServletResponse response) {
        return turn(caller, conversationId, request.content(), request.editOf(), List.of(), accept, http, response);
    }

    /**
     * The same turn with images attached to the question: {@code multipart/form-data} with a
     * {@code content} field (may be empty when images are attached), {@code editOf} if it is a new
     * version, and up to {@code colloquy.chat.images.max-per-message} {@code image} parts.
     */
    @PostMapping(path = "/api/conversations/{conversationId}/messages", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @InvalidateCache({"conversations:*", "conversation:*"})
    @Nullable
    ResponseEntity<TurnView> postWithImages(
            @AuthenticationPrincipal CurrentUser caller,
            @PathVariable UUID conversationId,
            @RequestParam(defaultValue = "") String content,
            @RequestParam(required = false) @Nullable UUID editOf,
            @RequestPart(name = "image", required = false) @Nullable List<MultipartFile> image,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
            HttpServletRequest http,
            HttpServletResponse response) {
        var files = image == null ? List.<MultipartFile>of() : image;
        if (content.length() > ConversationManagement.MAX_CONTENT) {
            throw new InvalidParameter("content: size must be between 1 and " + ConversationManagement.MAX_CONTENT);
        }
        if (content.indexOf('\0') >= 0) {
            throw new InvalidParameter("content: must not contain NUL characters");
        }
        if (content.isBlank() && files.isEmpty()) {
            throw new InvalidParameter("content: must not be blank unless images are attached");
        }
        var images = attachedImages.read(files);
        return turn(caller, conversationId, content, editOf, images, accept, http, response);
    }

    private @Nullable ResponseEntity<TurnView> turn(
            CurrentUser caller,
            UUID conversationId,
            String content,
            @Nullable UUID editOf,
            List<NewImage> images,
            @Nullable String accept,
            HttpServletRequest http,
            HttpServletResponse response) {
        long started = System.nanoTime();
        if (accept != null && accept.contains(MediaType.TEXT_EVENT_STREAM_VALUE)) {
            stream(
                    response,
                    started,
                    (tokens, onUserMessage) -> editOf == null
                            ? turns.take(caller, conversationId, content, images, tokens, onUserMessage, null)
                            : turns.edit(caller, conversationId, editOf, content, images, tokens, onUserMessage, null));
            return null;
        }
        var keyed = IdempotentRequest.of(http);
        var turn = editOf == null
                ? turns.take(caller, conversationId, content, images, TokenSink.DISCARD, message -> {}, keyed)
                : turns.edit(caller, conversationId, editOf, content, images, TokenSink.DISCARD, message -> {}, keyed);
        return whole(turn, started);
    }

    @PostMapping("/api/conversations/{conversationId}/messages/{messageId}/regenerate")
    @InvalidateCache({"conversations:*", "conversation:*"})
    @Nullable
    ResponseEntity<TurnView> regenerate(
            @AuthenticationPrincipal CurrentUser caller,
            @PathVariable UUID conversationId,
            @PathVariable UUID messageId,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
            HttpServletResponse response) {
        long started = System.nanoTime();
        if (accept != null && accept.contains(MediaType.TEXT_EVENT_STREAM_VALUE)) {
            stream(
                    response,
                    started,
                    (tokens, onUserMessage) -> turns.regenerate(caller, conversationId, messageId, tokens));
            return null;
        }
        return whole(turns.regenerate(caller, conversationId, messageId, TokenSink.DISCARD), started);
    }

    private static ResponseEntity<TurnView> whole(ChatTurns.Turn turn, long started) {
        long overhead = overheadMillis(started, turn);
        return ResponseEntity.ok()
                .header(OVERHEAD_HEADER, Long.toString(overhead))
                .body(TurnView.of(turn, overhead));
    }

    /** One way of taking a turn: streaming tokens to the sink, telling who asks about the stored question. */
    private interface TurnTaker {
        ChatTurns.Turn take(TokenSink tokens, java.util.function.Consumer<Message> onUserMessage);
    }

    private void stream(HttpServletResponse response, long started, TurnTaker taker) {
        var events = new EventStream(response, json);
        try {
            var turn = taker.take(
                    token -> events.send("token", new Token(token)),
                    message -> events.sendIfConnected("user_message", message));
            caching.invalidateForCaller("conversations", "conversation");
            events.sendIfConnected("done", TurnView.of(turn, overheadMillis(started, turn)));
        } catch (ApiProblem problem) {
            if (!events.started()) {
                throw problem;
            }
            caching.invalidateForCaller("conversations", "conversation");
            var body = ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage());
            body.setType(problem.type());
            body.setTitle(problem.title());
            events.sendIfConnected("error", body);
        }
    }

    /** Time spent in Colloquy: the whole turn less the time the model took. */
    private static long overheadMillis(long started, ChatTurns.Turn turn) {
        var total = (System.nanoTime() - started) / 1_000_000;
        var model =
                turn.completion().latency().minus(turn.completion().overhead()).toMillis();
        return Math.max(0, total - model);
    }
}
