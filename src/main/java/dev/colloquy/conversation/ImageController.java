package dev.colloquy.conversation;

import dev.colloquy.user.CurrentUser;
import java.time.Duration;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/conversations/{id}/images/{imageId}}: an image attached to a question, as stored
 * (metadata stripped), to its owner only. An image never changes once stored, so the browser may keep
 * it; never a shared cache.
 */
@RestController
class ImageController {

    private static final Duration KEPT = Duration.ofDays(30);

    private final ConversationManagement conversations;

    ImageController(ConversationManagement conversations) {
        this.conversations = conversations;
    }

    @GetMapping("/api/conversations/{conversationId}/images/{imageId}")
    ResponseEntity<byte[]> image(
            @AuthenticationPrincipal CurrentUser caller,
            @PathVariable UUID conversationId,
            @PathVariable UUID imageId) {
        var image = conversations.image(caller.id(), conversationId, imageId);
        var extension = image.mediaType().substring(image.mediaType().indexOf('/') + 1);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(image.mediaType()))
                .cacheControl(CacheControl.maxAge(KEPT).cachePrivate().immutable())
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.inline()
                                .filename(imageId + "." + extension)
                                .build()
                                .toString())
                .body(image.bytes());
    }
}
