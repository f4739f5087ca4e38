package dev.colloquy.conversation;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One message of a conversation; {@code seq} counts from 1 in the order messages were appended. A
 * conversation is a tree: {@code parentSeq} is the message this one follows (0: none), and
 * {@code siblings} the ids of the messages that follow the same parent, oldest first, this one among
 * them (empty when it has none: edits and regenerations make siblings). A question names the images
 * attached to it in {@code images}.
 */
public record Message(
        UUID id,
        UUID conversationId,
        int seq,
        int parentSeq,
        MessageRole role,
        String content,
        @Nullable String model,
        MessageStatus status,
        @Nullable Integer inputTokens,
        @Nullable Integer outputTokens,
        @Nullable Integer latencyMs,
        Instant createdAt,
        List<Citation> citations,
        List<MessageImage> images,
        List<UUID> siblings) {

    public Message {
        citations = citations == null ? List.of() : List.copyOf(citations);
        images = images == null ? List.of() : List.copyOf(images);
        siblings = siblings == null ? List.of() : List.copyOf(siblings);
    }

    /** This message with its siblings named. */
    public Message withSiblings(List<UUID> ids) {
        return new Message(
                id,
                conversationId,
                seq,
                parentSeq,
                role,
                content,
                model,
                status,
                inputTokens,
                outputTokens,
                latencyMs,
                createdAt,
                citations,
                images,
                ids);
    }
}
