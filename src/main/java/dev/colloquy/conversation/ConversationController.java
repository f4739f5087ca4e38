package dev.colloquy.conversation;

import dev.colloquy.cache.CacheResponse;
import dev.colloquy.cache.InvalidateCache;
import dev.colloquy.platform.Page;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.InvalidParameter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/api/conversations")
class ConversationController {

    static final String NO_CONTROL = "[^\\x00-\\x1f\\x7f]*+";
    static final String NO_NUL = "[^\\x00]*+";

    record ConversationFields(
            @Nullable @Size(max = 200) @Pattern(regexp = NO_CONTROL, message = "must not contain control characters")
            String title,

            @Nullable @Size(max = 100) @Pattern(regexp = NO_CONTROL, message = "must not contain control characters")
            String model,

            @Nullable @Size(max = 20_000) @Pattern(regexp = NO_NUL, message = "must not contain NUL characters")
            String systemPrompt,

            // absent: unchanged; null: the model's default; a number from 0 to 2
            @Nullable JsonNode temperature) {

        boolean setsTemperature() {
            return temperature != null;
        }

        @Nullable
        Double temperatureValue() {
            if (temperature == null || temperature.isNull()) {
                return null;
            }
            if (!temperature.isNumber()
                    || temperature.doubleValue() < 0
                    || temperature.doubleValue() > 2
                    || Double.isNaN(temperature.doubleValue())) {
                throw new InvalidParameter("temperature must be a number from 0 to 2, or null for the model's default");
            }
            return temperature.doubleValue();
        }
    }

    private final ConversationManagement conversations;

    ConversationController(ConversationManagement conversations) {
        this.conversations = conversations;
    }

    @GetMapping
    @CacheResponse(group = "conversations", ttl = "60s")
    Page<Conversation> list(
            @AuthenticationPrincipal CurrentUser caller,
            @RequestParam(defaultValue = "20") @Min(1) @Max(ConversationManagement.MAX_PAGE) int limit,
            @RequestParam(required = false) @Nullable String cursor) {
        return conversations.list(caller.id(), cursor, limit);
    }

    @PostMapping
    @InvalidateCache("conversations:*")
    ResponseEntity<Conversation> start(
            @AuthenticationPrincipal CurrentUser caller,
            @Valid @RequestBody(required = false) @Nullable ConversationFields fields) {
        var request = fields == null ? new ConversationFields(null, null, null, null) : fields;
        var conversation = conversations.start(
                caller.id(), request.title(), request.model(), request.systemPrompt(), request.temperatureValue());
        return ResponseEntity.created(URI.create("/api/conversations/" + conversation.id()))
                .body(conversation);
    }

    @GetMapping("/{id}")
    @CacheResponse(group = "conversation", ttl = "60s")
    Conversation get(@AuthenticationPrincipal CurrentUser caller, @PathVariable UUID id) {
        return conversations.get(caller.id(), id);
    }

    @PatchMapping("/{id}")
    @InvalidateCache({"conversations:*", "conversation:*"})
    Conversation update(
            @AuthenticationPrincipal CurrentUser caller,
            @PathVariable UUID id,
            @Valid @RequestBody ConversationFields fields) {
        return conversations.update(
                caller.id(),
                id,
                fields.title(),
                fields.model(),
                fields.systemPrompt(),
                fields.setsTemperature(),
                fields.temperatureValue());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @InvalidateCache({"conversations:*", "conversation:*"})
    void delete(@AuthenticationPrincipal CurrentUser caller, @PathVariable UUID id) {
        conversations.delete(caller.id(), id);
    }
}
