package dev.colloquy.conversation;

import dev.colloquy.platform.Page;
import dev.colloquy.user.CurrentUser;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Full-text search over the caller's messages: words, "quoted phrases", OR and -excluded words. */
@RestController
class SearchController {

    private final ConversationManagement conversations;

    SearchController(ConversationManagement conversations) {
        this.conversations = conversations;
    }

    @GetMapping("/api/search")
    Page<SearchHit> search(
            @AuthenticationPrincipal CurrentUser caller,
            @RequestParam
                    @NotBlank
                    @Size(max = 500)
                    @Pattern(regexp = ConversationController.NO_NUL, message = "must not contain NUL characters")
                    String q,
            @RequestParam(defaultValue = "20") @Min(1) @Max(ConversationManagement.MAX_PAGE) int limit,
            @RequestParam(required = false) @Nullable String cursor) {
        return conversations.search(caller.id(), q, cursor, limit);
    }
}
