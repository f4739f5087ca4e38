package dev.colloquy.user;

import dev.colloquy.platform.KeysetPosition;
import dev.colloquy.platform.Uuid7;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * What admins (and accounts, to themselves) did: appended to and read; never changed, but for taking a
 * deleted account's id and email out of it.
 */
@Repository
public class AuditLog {

    /** One admin action. */
    public record Entry(
            UUID id,
            @Nullable UUID actorId,
            String action,
            @Nullable UUID targetId,
            Map<String, Object> detail,
            @Nullable String clientAddress,
            Instant at) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AuditLog(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void append(
            @Nullable UUID actorId,
            String action,
            @Nullable UUID targetId,
            Map<String, Object> detail,
            @Nullable String from) {
        jdbc.sql("""
                        insert into audit_log (id, actor_id, action, target_id, detail, client_address)
                        values (:id, :actorId, :action, :targetId, cast(:detail as jsonb), :from)
                        """)
                .param("id", Uuid7.next())
                .param("actorId", actorId)
                .param("action", action)
                .param("targetId", targetId)
                .param("detail", json.writeValueAsString(detail))
                .param("from", from)
                .update();
    }

    /**
     * Takes a deleted account out of the log: its id as actor or target, and its email in any entry's
     * detail. What was done, when and from where stays.
     */
    void forget(UUID userId, String email) {
        jdbc.sql("""
                        update audit_log
                           set actor_id  = case when actor_id = :id then null else actor_id end,
                               target_id = case when target_id = :id then null else target_id end,
                               detail    = case when detail ->> 'email' = :email then detail - 'email' else detail end
                         where actor_id = :id or target_id = :id or detail ->> 'email' = :email
                        """).param("id", userId).param("email", email).update();
    }

    /** Newest first; one more than asked, to tell whether there is a next page. */
    @SuppressWarnings("unchecked")
    List<Entry> page(@Nullable KeysetPosition after, int limit) {
        return jdbc.sql("""
                        select id, actor_id, action, target_id, detail::text as detail, client_address, created_at
                          from audit_log
                         where cast(:afterAt as timestamptz) is null
                            or (created_at, id) < (cast(:afterAt as timestamptz), cast(:afterId as uuid))
                         order by created_at desc, id desc
                         limit :limit
                        """)
                .param("afterAt", after == null ? null : after.at().atOffset(java.time.ZoneOffset.UTC))
                .param("afterId", after == null ? null : after.id())
                .param("limit", limit)
                .query((rs, row) -> new Entry(
                        rs.getObject("id", UUID.class),
                        rs.getObject("actor_id", UUID.class),
                        rs.getString("action"),
                        rs.getObject("target_id", UUID.class),
                        json.readValue(rs.getString("detail"), Map.class),
                        rs.getString("client_address"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }
}
