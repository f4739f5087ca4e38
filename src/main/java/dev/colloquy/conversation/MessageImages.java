package dev.colloquy.conversation;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code message_images} table: the bytes of the images questions name. */
@Repository
class MessageImages {

    private final JdbcClient jdbc;

    MessageImages(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID userId, UUID conversationId, List<NewImage> images, Instant at) {
        for (var image : images) {
            jdbc.sql("""
                            insert into message_images (id, conversation_id, user_id, media_type, width, height, bytes,
                                                        created_at)
                            values (:id, :conversationId, :userId, :mediaType, :width, :height, :bytes, :createdAt)
                            """)
                    .param("id", image.id())
                    .param("conversationId", conversationId)
                    .param("userId", userId)
                    .param("mediaType", image.mediaType())
                    .param("width", image.width())
                    .param("height", image.height())
                    .param("bytes", image.bytes())
                    .param("createdAt", at.atOffset(ZoneOffset.UTC))
                    .update();
        }
    }

    /** One image of the user's conversation; empty when either is not theirs or does not exist. */
    Optional<ImageBytes> find(UUID userId, UUID conversationId, UUID id) {
        return jdbc.sql("""
                        select media_type, bytes
                          from message_images
                         where id = :id and conversation_id = :conversationId and user_id = :userId
                        """)
                .param("id", id)
                .param("conversationId", conversationId)
                .param("userId", userId)
                .query((rs, row) -> new ImageBytes(rs.getString("media_type"), rs.getBytes("bytes")))
                .optional();
    }

    /** The bytes of these images of the user's conversation, by id; an id it does not hold is left out. */
    Map<UUID, ImageBytes> of(UUID userId, UUID conversationId, Collection<UUID> ids) {
        var found = new HashMap<UUID, ImageBytes>();
        if (ids.isEmpty()) {
            return found;
        }
        jdbc.sql("""
                        select id, media_type, bytes
                          from message_images
                         where conversation_id = :conversationId and user_id = :userId and id = any(:ids)
                        """)
                .param("conversationId", conversationId)
                .param("userId", userId)
                .param("ids", ids.toArray(UUID[]::new))
                .query(rs -> {
                    found.put(
                            rs.getObject("id", UUID.class),
                            new ImageBytes(rs.getString("media_type"), rs.getBytes("bytes")));
                });
        return found;
    }
}
