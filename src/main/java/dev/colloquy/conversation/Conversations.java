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

    /**
     * Room made for {@code count} new messages: their first sequence number and first timestamp, and
     * the selected path's last message before them (what they follow unless told otherwise).
     */
    record Reservation(int firstSeq, Instant firstAt, int previousLeaf) {}

    /** The conversation's tree: whether it has branches, and the last message of the selected path. */
    record Shape(boolean branched, int leafSeq) {}

    static final String COLUMNS =
            "id, title, model, system_prompt, temperature, message_count, created_at, updated_at, last_activity_at";

    static final String FIRST_PAGE = """
            select id, title, model, system_prompt, temperature, message_count, created_at, updated_at, last_activity_at
              from conversations
             where user_id = :userId
             order by last_activity_at desc, id desc
             limit :limit
            """;

    static final String NEXT_PAGE = """
            select id, title, model, system_prompt, temperature, message_count, created_at, updated_at, last_activity_at
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
                        insert into conversations (id, user_id, title, model, system_prompt, temperature, created_at,
                                                   updated_at, last_activity_at)
                        values (:id, :userId, :title, :model, :systemPrompt, :temperature, :createdAt, :createdAt,
                                :createdAt)
                        """)
                .param("id", conversation.id())
                .param("userId", userId)
                .param("title", conversation.title())
                .param("model", conversation.model())
                .param("systemPrompt", conversation.systemPrompt())
                .param("temperature", conversation.temperature())
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

    /**
     * Changes the given fields (null leaves a field as it is; the temperature is set, to null too, when
     * {@code setTemperature}); empty when the caller has no such conversation.
     */
    Optional<Conversation> update(
            UUID userId,
            UUID id,
            @Nullable String title,
            @Nullable String model,
            @Nullable String systemPrompt,
            boolean setTemperature,
            @Nullable Double temperature) {
        return jdbc.sql("""
                        update conversations
                           set title = coalesce(:title, title),
                               model = case when :model::text is null then model else nullif(:model::text, '') end,
                               system_prompt = case when :systemPrompt::text is null then system_prompt
                                                    else nullif(:systemPrompt::text, '') end,
                               temperature = case when :setTemperature then cast(:temperature as double precision)
                                                  else temperature end,
                               updated_at = now()
                         where id = :id and user_id = :userId
                        returning id, title, model, system_prompt, temperature, message_count, created_at, updated_at, last_activity_at
                        """)
                .param("id", id)
                .param("userId", userId)
                .param("title", title)
                .param("model", model)
                .param("systemPrompt", systemPrompt)
                .param("setTemperature", setTemperature)
                .param("temperature", temperature)
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
     * The last of them becomes the selected path's end. {@code parent}, when given, is the message the
     * first of them follows; when that is not the end of the selected path, the conversation branches.
     */
    Optional<Reservation> reserve(UUID userId, UUID id, int count, @Nullable Integer parent) {
        return jdbc.sql("""
                        update conversations c
                           set message_count = c.message_count + :count,
                               leaf_seq = c.message_count + :count,
                               branched = c.branched or coalesce(cast(:parent as integer) <> before.leaf, false),
                               last_activity_at = greatest(clock_timestamp(), c.last_activity_at + interval '1 microsecond')
                                                  + (:count - 1) * interval '1 microsecond',
                               updated_at = now()
                          from (select id, coalesce(leaf_seq, message_count) as leaf
                                  from conversations
                                 where id = :id and user_id = :userId
                                   for update) before
                         where c.id = before.id
                        returning c.message_count, c.last_activity_at, before.leaf as previous_leaf
                        """)
                .param("id", id)
                .param("userId", userId)
                .param("count", count)
                .param("parent", parent)
                .query((rs, row) -> new Reservation(
                        rs.getInt("message_count") - count + 1,
                        rs.getTimestamp("last_activity_at").toInstant().minusNanos((count - 1) * 1_000L),
                        rs.getInt("previous_leaf")))
                .optional();
    }

    Optional<Shape> shape(UUID userId, UUID id) {
        return jdbc.sql("""
                        select branched, coalesce(leaf_seq, message_count) as leaf
                          from conversations
                         where id = :id and user_id = :userId
                        """)
                .param("id", id)
                .param("userId", userId)
                .query((rs, row) -> new Shape(rs.getBoolean("branched"), rs.getInt("leaf")))
                .optional();
    }

    /** Selects the path that ends at {@code leaf}. */
    boolean select(UUID userId, UUID id, int leaf) {
        return jdbc.sql("update conversations set leaf_seq = :leaf where id = :id and user_id = :userId")
                        .param("id", id)
                        .param("userId", userId)
                        .param("leaf", leaf)
                        .update()
                == 1;
    }

    static Conversation conversation(ResultSet rs, int row) throws SQLException {
        return new Conversation(
                rs.getObject("id", UUID.class),
                rs.getString("title"),
                rs.getString("model"),
                rs.getString("system_prompt"),
                rs.getObject("temperature", Double.class),
                rs.getInt("message_count"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getTimestamp("last_activity_at").toInstant());
    }
}
