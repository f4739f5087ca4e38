package dev.colloquy.conversation;

import dev.colloquy.user.AccountArchive;
import dev.colloquy.user.AccountData;
import java.io.IOException;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * An account's conversations and messages: exported as JSON Lines, erased with the account (their
 * cache entries are keyed by the account's id, so they go after the deletion commits).
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
                                     'outputTokens', output_tokens, 'metadata', metadata, 'createdAt', created_at)::text as line
              from messages
             where user_id = :userId
               and (cast(:afterAt as timestamptz) is null or (created_at, id) > (cast(:afterAt as timestamptz), cast(:afterId as uuid)))
             order by created_at, id
             limit :limit
            """;

    private final JdbcClient jdbc;

    ConversationAccountData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void export(UUID userId, AccountArchive archive) throws IOException {
        archive.jsonLines("conversations.jsonl", jdbc, CONVERSATIONS, userId);
        archive.jsonLines("messages.jsonl", jdbc, MESSAGES, userId);
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
