package dev.colloquy.chat;

import dev.colloquy.cache.InvalidateCache;
import dev.colloquy.cache.ResponseCaching;
import dev.colloquy.conversation.Citation;
import dev.colloquy.conversation.ConversationManagement;
import dev.colloquy.conversation.Message;
import dev.colloquy.llm.TokenSink;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.ApiProblem;
import dev.colloquy.web.IdempotentRequest;
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
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/conversations/{id}/messages}: one chat turn. With {@code Accept: text/event-stream}
 * the answer streams as server-sent events ({@code user_message}, {@code token}..., then {@code done}
 * or {@code error}); otherwise the whole turn comes back as JSON.
 */
@RestController
class ChatController {

    static final String OVERHEAD_HEADER = "X-Colloquy-Overhead-Ms";

    record PostMessage(
            @NotBlank
            @Size(max = ConversationManagement.MAX_CONTENT)
            @Pattern(regexp = "[^\\x00]*+", message = "must not contain NUL characters")
            String content) {}

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
    private final ResponseCaching caching;
    private final JsonMapper json;

    ChatController(ChatTurns turns, ResponseCaching caching, JsonMapper json) {
        this.turns = turns;
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
        long started = System.nanoTime();
        if (accept != null && accept.contains(MediaType.TEXT_EVENT_STREAM_VALUE)) {
            stream(caller, conversationId, request.content(), response, started);
            return null;
        }
        var turn = turns.take(
                caller,
                conversationId,
                request.content(),
                TokenSink.DISCARD,
                message -> {},
                IdempotentRequest.of(http));
        long overhead = overheadMillis(started, turn);
        return ResponseEntity.ok()
                .header(OVERHEAD_HEADER, Long.toString(overhead))
                .body(TurnView.of(turn, overhead));
    }

    private void stream(
            CurrentUser caller, UUID conversationId, String content, HttpServletResponse response, long started) {
        var events = new EventStream(response, json);
        try {
            var turn = turns.take(
                    caller,
                    conversationId,
                    content,
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
