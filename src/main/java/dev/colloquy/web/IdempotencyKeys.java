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

    /**
     * Claims the key for a request that runs outside any transaction, committed at once, with a lease
     * that {@link #renew} keeps alive while it runs. True when this request now owns the key.
     */
    boolean lease(UUID userId, String key, byte[] fingerprint, Duration ttl, UUID owner, Duration lease) {
        return jdbc.sql("""
                        insert into idempotency_keys
                               (user_id, key, fingerprint, state, expires_at, lease_owner, lease_until)
                        values (:user, :key, :fingerprint, 'in_progress', now() + make_interval(secs => :ttl),
                                :owner, now() + make_interval(secs => :lease))
                        on conflict (user_id, key) do nothing
                        """)
                        .param("user", userId)
                        .param("key", key)
                        .param("fingerprint", fingerprint)
                        .param("ttl", ttl.toSeconds())
                        .param("owner", owner)
                        .param("lease", lease.toMillis() / 1000.0)
                        .update()
                == 1;
    }

    /** What an attempt whose lease ran out had done, as its {@link #checkpoint}: null for nothing yet. */
    record Takeover(@Nullable String checkpoint) {}

    /**
     * Takes over the key of the same request whose lease ran out (the replica running it died), so
     * this request goes on from where that one stopped; empty when the key is not such a one.
     */
    Optional<Takeover> takeOver(UUID userId, String key, byte[] fingerprint, UUID owner, Duration lease) {
        return jdbc.sql("""
                        update idempotency_keys
                           set lease_owner = :owner, lease_until = now() + make_interval(secs => :lease)
                         where user_id = :user and key = :key and fingerprint = :fingerprint
                           and state = 'in_progress' and expires_at > now()
                           and coalesce(lease_until, created_at + interval '2 minutes') < now()
                        returning checkpoint
                        """)
                .param("user", userId)
                .param("key", key)
                .param("fingerprint", fingerprint)
                .param("owner", owner)
                .param("lease", lease.toMillis() / 1000.0)
                .query((rs, row) -> new Takeover(rs.getString("checkpoint")))
                .optional();
    }

    /** Extends the lease of a request still running; false when another attempt took the key over. */
    boolean renew(UUID userId, String key, UUID owner, Duration lease) {
        return jdbc.sql("""
                        update idempotency_keys set lease_until = now() + make_interval(secs => :lease)
                         where user_id = :user and key = :key and lease_owner = :owner and state = 'in_progress'
                        """)
                        .param("user", userId)
                        .param("key", key)
                        .param("owner", owner)
                        .param("lease", lease.toMillis() / 1000.0)
                        .update()
                == 1;
    }

    /**
     * Records how far a leased request got, in the caller's transaction (the one that wrote what the
     * checkpoint names), so both commit or neither does.
     */
    void checkpoint(UUID userId, String key, UUID owner, String checkpoint) {
        jdbc.sql("""
                        update idempotency_keys set checkpoint = :checkpoint
                         where user_id = :user and key = :key and lease_owner = :owner and state = 'in_progress'
                        """)
                .param("user", userId)
                .param("key", key)
                .param("owner", owner)
                .param("checkpoint", checkpoint)
                .update();
    }

    /** {@link #complete} for a leased key, if this attempt still holds it. */
    boolean completeLeased(
            UUID userId,
            String key,
            UUID owner,
            int status,
            @Nullable String contentType,
            @Nullable String location,
            byte[] body) {
        return jdbc.sql("""
                        update idempotency_keys
                           set state = 'completed', response_status = :status, response_content_type = :contentType,
                               response_location = :location, response_body = :body, lease_until = null
                         where user_id = :user and key = :key and lease_owner = :owner and state = 'in_progress'
                        """)
                        .param("user", userId)
                        .param("key", key)
                        .param("owner", owner)
                        .param("status", status)
                        .param("contentType", contentType)
                        .param("location", location)
                        .param("body", body)
                        .update()
                == 1;
    }

    /** {@link #release} for a leased key, if this attempt still holds it. */
    void releaseLeased(UUID userId, String key, UUID owner) {
        jdbc.sql("delete from idempotency_keys where user_id = :user and key = :key and lease_owner = :owner")
                .param("user", userId)
                .param("key", key)
                .param("owner", owner)
                .update();
    }

    /**
     * The entry holding the key; a claim whose lease ran out (or, for one claimed inside a
     * transaction, whose request died long ago) counts as abandoned.
     */
    Optional<Entry> find(UUID userId, String key) {
        return jdbc.sql("""
                        select fingerprint, state = 'completed' as completed,
                               (state = 'in_progress'
                                and coalesce(lease_until, created_at + interval '2 minutes') < now()) as abandoned,
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

    /**
     * Drops expired entries and abandoned claims made inside a transaction; returns how many. A leased
     * claim whose lease ran out stays until it expires: a retry takes it over and goes on from its
     * checkpoint.
     */
    int purge() {
        return jdbc.sql("""
                        delete from idempotency_keys
                         where expires_at <= now()
                            or (state = 'in_progress' and lease_until is null
                                and created_at < now() - interval '2 minutes')
                        """).update();
    }

    /** Drops every stored response of the account (it is being deleted); returns how many. */
    public int forgetAllOf(UUID userId) {
        return jdbc.sql("delete from idempotency_keys where user_id = :user")
                .param("user", userId)
                .update();
    }
}
