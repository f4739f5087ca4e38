package dev.colloquy.conversation;

import dev.colloquy.platform.KeysetPosition;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code conversations} table. Every statement is scoped to the owner. */
@Repository
class Conversations {

    /** Room made for {@code count} new messages: their first sequence number and first timestamp. */
    record Reservation(int firstSeq, Instant firstAt) {}

    static final String COLUMNS =
            "id, title, model, system_prompt, message_count, created_at, updated_at, last_activity_at";

    static final String FIRST_PAGE = """
            select id, title, model, system_prompt, message_count, created_at, updated_at, last_activity_at
              from conversations
             where user_id = :userId
             order by last_activity_at desc, id desc
             limit :limit
            """;

    static final String NEXT_PAGE = """
            select id, title, model, system_prompt, message_count, created_at, updated_at, last_activity_at
              from conversations
             where user_id = :userId
               and (last_activity_at, id) < (:at, :id)
             order by last_activity_at desc, id desc
             limit :limit
            """;

    private final JdbcClient jdbc;

    Conversations(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID userId, Conversation conversation) {
        jdbc.sql("""
                        insert into conversations (id, user_id, title, model, system_prompt, created_at, updated_at,
                                                   last_activity_at)
                        values (:id, :userId, :title, :model, :systemPrompt, :createdAt, :createdAt, :createdAt)
                        """)
                .param("id", conversation.id())
                .param("userId", userId)
                .param("title", conversation.title())
                .param("model", conversation.model())
                .param("systemPrompt", conversation.systemPrompt())
                .param("createdAt", conversation.createdAt().atOffset(ZoneOffset.UTC))
                .update();
    }

    Optional<Conversation> find(UUID userId, UUID id) {
        return jdbc.sql("select " + COLUMNS + " from conversations where id = :id and user_id = :userId")
                .param("id", id)
                .param("userId", userId)
                .query(Conversations::conversation)
                .optional();
    }

    boolean exists(UUID userId, UUID id) {
        return jdbc.sql("select exists (select 1 from conversations where id = :id and user_id = :userId)")
                .param("id", id)
                .param("userId", userId)
                .query(Boolean.class)
                .single();
    }

    /** Up to {@code limit} conversations after the position, newest activity first. */
    List<Conversation> page(UUID userId, @Nullable KeysetPosition after, int limit) {
        var query = jdbc.sql(after == null ? FIRST_PAGE : NEXT_PAGE)
                .param("userId", userId)
                .param("limit", limit);
        if (after != null) {
            query = query.param("at", after.at().atOffset(ZoneOffset.UTC)).param("id", after.id());
        }
        return query.query(Conversations::conversation).list();
    }

    /** Changes the given fields (null leaves a field as it is); empty when the caller has no such conversation. */
    Optional<Conversation> update(
            UUID userId, UUID id, @Nullable String title, @Nullable String model, @Nullable String systemPrompt) {
        return jdbc.sql("""
                        update conversations
                           set title = coalesce(:title, title),
                               model = case when :model::text is null then model else nullif(:model::text, '') end,
                               system_prompt = case when :systemPrompt::text is null then system_prompt
                                                    else nullif(:systemPrompt::text, '') end,
                               updated_at = now()
                         where id = :id and user_id = :userId
                        returning id, title, model, system_prompt, message_count, created_at, updated_at, last_activity_at
                        """)
                .param("id", id)
                .param("userId", userId)
                .param("title", title)
                .param("model", model)
                .param("systemPrompt", systemPrompt)
                .query(Conversations::conversation)
                .optional();
    }

    boolean delete(UUID userId, UUID id) {
        return jdbc.sql("delete from conversations where id = :id and user_id = :userId")
                        .param("id", id)
                        .param("userId", userId)
                        .update()
                == 1;
    }

    /**
     * Locks the conversation's row and makes room for {@code count} messages: sequence numbers follow
     * the last one, and timestamps strictly increase, so concurrent appends keep one order and count.
     */
    Optional<Reservation> reserve(UUID userId, UUID id, int count) {
        return jdbc.sql("""
                        update conversations
                           set message_count = message_count + :count,
                               last_activity_at = greatest(clock_timestamp(), last_activity_at + interval '1 microsecond')
                                                  + (:count - 1) * interval '1 microsecond',
                               updated_at = now()
                         where id = :id and user_id = :userId
                        returning message_count, last_activity_at
                        """)
                .param("id", id)
                .param("userId", userId)
                .param("count", count)
                .query((rs, row) -> new Reservation(
                        rs.getInt("message_count") - count + 1,
                        rs.getTimestamp("last_activity_at").toInstant().minusNanos((count - 1) * 1_000L)))
                .optional();
    }

    static Conversation conversation(ResultSet rs, int row) throws SQLException {
        return new Conversation(
                rs.getObject("id", UUID.class),
                rs.getString("title"),
                rs.getString("model"),
                rs.getString("system_prompt"),
                rs.getInt("message_count"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getTimestamp("last_activity_at").toInstant());
    }
}
