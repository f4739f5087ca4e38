package dev.colloquy.conversation;

import dev.colloquy.user.AccountArchive;
import dev.colloquy.user.AccountData;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * An account's conversations and messages: exported as JSON Lines with the images attached to questions
 * beside them ({@code images/<conversation>/<image>.<type>}), erased with the account (images go with
 * their conversations; cache entries are keyed by the account's id, so they go after the deletion
 * commits).
 */
@Component
class ConversationAccountData implements AccountData {

    private static final String CONVERSATIONS = """
            select created_at as at, id,
                   json_build_object('id', id, 'title', title, 'model', model, 'systemPrompt', system_prompt,
                                     'temperature', temperature,
                                     'messageCount', message_count, 'createdAt', created_at,
                                     'lastActivityAt', last_activity_at)::text as line
              from conversations
             where user_id = :userId
               and (cast(:afterAt as timestamptz) is null or (created_at, id) > (cast(:afterAt as timestamptz), cast(:afterId as uuid)))
             order by created_at, id
             limit :limit
            """;

    private static final String MESSAGES = """
            select created_at as at, id,
                   json_build_object('id', id, 'conversationId', conversation_id, 'seq', seq,
                                     'parentSeq', coalesce(parent_seq, seq - 1), 'role', role, 'content', content,
                                     'model', model, 'status', status, 'inputTokens', input_tokens,
                                     'outputTokens', output_tokens, 'metadata', metadata, 'images', images,
                                     'createdAt', created_at)::text as line
              from messages
             where user_id = :userId
               and (cast(:afterAt as timestamptz) is null or (created_at, id) > (cast(:afterAt as timestamptz), cast(:afterId as uuid)))
             order by created_at, id
             limit :limit
            """;

    /** A page of images, each up to {@code colloquy.chat.images.max-bytes}: few at a time. */
    private static final String IMAGES = """
            select id, conversation_id, media_type, bytes, created_at
              from message_images
             where user_id = :userId
               and (cast(:afterAt as timestamptz) is null or (created_at, id) > (cast(:afterAt as timestamptz), cast(:afterId as uuid)))
             order by created_at, id
             limit 8
            """;

    private record Image(UUID id, UUID conversationId, String mediaType, byte[] bytes, Timestamp at) {}

    private final JdbcClient jdbc;

    ConversationAccountData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void export(UUID userId, AccountArchive archive) throws IOException {
        archive.jsonLines("conversations.jsonl", jdbc, CONVERSATIONS, userId);
        archive.jsonLines("messages.jsonl", jdbc, MESSAGES, userId);
        Image last = null;
        for (; ; ) {
            var page = jdbc.sql(IMAGES)
                    .param("userId", userId)
                    .param("afterAt", last == null ? null : last.at())
                    .param("afterId", last == null ? null : last.id())
                    .query((rs, row) -> new Image(
                            rs.getObject("id", UUID.class),
                            rs.getObject("conversation_id", UUID.class),
                            rs.getString("media_type"),
                            rs.getBytes("bytes"),
                            rs.getTimestamp("created_at")))
                    .list();
            for (var image : page) {
                var extension = image.mediaType().substring(image.mediaType().indexOf('/') + 1);
                archive.bytes("images/" + image.conversationId() + "/" + image.id() + "." + extension, image.bytes());
            }
            if (page.isEmpty()) {
                return;
            }
            last = page.getLast();
        }
    }

    @Override
    public void erase(UUID userId) {
        jdbc.sql("delete from messages where user_id = :userId")
                .param("userId", userId)
                .update();
        jdbc.sql("delete from conversations where user_id = :userId")
                .param("userId", userId)
                .update();
    }
}
