package dev.colloquy.conversation;

import dev.colloquy.cache.InvalidateCache;
import dev.colloquy.platform.Page;
import dev.colloquy.user.CurrentUser;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A conversation's messages: reading the selected path, selecting another branch, and importing many at
 * once. Posting one is a chat turn (chat/).
 */
@RestController
@RequestMapping("/api/conversations/{conversationId}/messages")
class MessageController {

    static final int MAX_CONTENT = ConversationManagement.MAX_CONTENT;

    record ImportedMessage(
            @NotNull MessageRole role,

            @NotNull
            @Size(max = MAX_CONTENT)
            @Pattern(regexp = ConversationController.NO_NUL, message = "must not contain NUL characters")
            String content,

            @Nullable @Size(max = 100) String model) {}

    record Import(
            @NotEmpty @Size(max = ConversationManagement.MAX_IMPORT)
            List<@Valid @NotNull ImportedMessage> messages) {}

    record Imported(int imported, int firstSeq, int lastSeq) {}

    private final ConversationManagement conversations;

    MessageController(ConversationManagement conversations) {
        this.conversations = conversations;
    }

    @GetMapping
    Page<Message> list(
            @AuthenticationPrincipal CurrentUser caller,
            @PathVariable UUID conversationId,
            @RequestParam(defaultValue = "50") @Min(1) @Max(ConversationManagement.MAX_PAGE) int limit,
            @RequestParam(required = false) @Nullable String cursor) {
        return conversations.messages(caller.id(), conversationId, cursor, limit);
    }

    /** Shows the branch through this message: it and the newest messages after it, to the end. */
    @PostMapping("/{messageId}/select")
    @InvalidateCache("conversation:*")
    ResponseEntity<Void> select(
            @AuthenticationPrincipal CurrentUser caller,
            @PathVariable UUID conversationId,
            @PathVariable UUID messageId) {
        conversations.select(caller.id(), conversationId, messageId);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/import")
    @InvalidateCache({"conversations:*", "conversation:*"})
    ResponseEntity<Imported> importMessages(
            @AuthenticationPrincipal CurrentUser caller,
            @PathVariable UUID conversationId,
            @Valid @RequestBody Import request) {
        var batch = request.messages().stream()
                .map(m -> new NewMessage(
                        m.role(),
                        m.content(),
                        m.model(),
                        MessageStatus.COMPLETE,
                        null,
                        null,
                        null,
                        List.of(),
                        List.of()))
                .toList();
        var stored = conversations.importMessages(caller.id(), conversationId, batch);
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(new Imported(
                        stored.size(), stored.getFirst().seq(), stored.getLast().seq()));
    }
}
