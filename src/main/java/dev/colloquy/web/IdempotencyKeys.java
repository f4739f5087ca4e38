package dev.colloquy.web;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code idempotency_keys} table: one row per (user, key), first claimed, then completed. */
@Repository
public class IdempotencyKeys {

    record Entry(
            byte[] fingerprint,
            boolean completed,
            boolean abandoned,
            int status,
            @Nullable String contentType,
            @Nullable String location,
            byte @Nullable [] body) {}

    private final JdbcClient jdbc;

    IdempotencyKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** True when this request now owns the key; false when an earlier request holds it. */
    boolean claim(UUID userId, String key, byte[] fingerprint, Duration ttl) {
        return jdbc.sql("""
                        insert into idempotency_keys (user_id, key, fingerprint, state, expires_at)
                        values (:user, :key, :fingerprint, 'in_progress', now() + make_interval(secs => :ttl))
                        on conflict (user_id, key) do nothing
                        """)
                        .param("user", userId)
                        .param("key", key)
                        .param("fingerprint", fingerprint)
                        .param("ttl", ttl.toSeconds())
                        .update()
                == 1;
    }

    /**
     * {@link #claim} inside the caller's transaction, waiting at most {@code wait} for another
     * transaction that holds the same key to end (PostgreSQL makes a conflicting insert wait for it).
     *
     * @throws org.springframework.dao.PessimisticLockingFailureException when that one is still running
     */
    boolean claimWaiting(UUID userId, String key, byte[] fingerprint, Duration ttl, Duration wait) {
        jdbc.sql("select set_config('lock_timeout', :wait, true)")
                .param("wait", wait.toMillis() + "ms")
                .query()
                .singleValue();
        boolean claimed = claim(userId, key, fingerprint, ttl);
        jdbc.sql("select set_config('lock_timeout', '0', true)").query().singleValue();
        return claimed;
    }

    /** The entry holding the key; a claim whose request died long ago counts as abandoned. */
    Optional<Entry> find(UUID userId, String key) {
        return jdbc.sql("""
                        select fingerprint, state = 'completed' as completed,
                               (state = 'in_progress' and created_at < now() - interval '2 minutes') as abandoned,
                               coalesce(response_status, 0) as response_status,
                               response_content_type, response_location, response_body
                          from idempotency_keys
                         where user_id = :user and key = :key and expires_at > now()
                        """)
                .param("user", userId)
                .param("key", key)
                .query((rs, row) -> new Entry(
                        rs.getBytes("fingerprint"),
                        rs.getBoolean("completed"),
                        rs.getBoolean("abandoned"),
                        rs.getInt("response_status"),
                        rs.getString("response_content_type"),
                        rs.getString("response_location"),
                        rs.getBytes("response_body")))
                .optional();
    }

    void complete(
            UUID userId, String key, int status, @Nullable String contentType, @Nullable String location, byte[] body) {
        jdbc.sql("""
                        update idempotency_keys
                           set state = 'completed', response_status = :status, response_content_type = :contentType,
                               response_location = :location, response_body = :body
                         where user_id = :user and key = :key
                        """)
                .param("user", userId)
                .param("key", key)
                .param("status", status)
                .param("contentType", contentType)
                .param("location", location)
                .param("body", body)
                .update();
    }

    void release(UUID userId, String key) {
        jdbc.sql("delete from idempotency_keys where user_id = :user and key = :key")
                .param("user", userId)
                .param("key", key)
                .update();
    }

    /** Drops expired entries and those whose claim was abandoned; returns how many. */
    int purge() {
        return jdbc.sql("""
                        delete from idempotency_keys
                         where expires_at <= now()
                            or (state = 'in_progress' and created_at < now() - interval '2 minutes')
                        """).update();
    }

    /** Drops every stored response of the account (it is being deleted); returns how many. */
    public int forgetAllOf(UUID userId) {
        return jdbc.sql("delete from idempotency_keys where user_id = :user")
                .param("user", userId)
                .update();
    }
}
