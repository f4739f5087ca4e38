package dev.colloquy.auth;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code sessions} table: login sessions by the hash of their bearer token. */
@Repository
class Sessions {

    record Session(UUID id, UUID userId, Instant expiresAt) {}

    private final JdbcClient jdbc;

    Sessions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Session session, byte[] tokenHash) {
        jdbc.sql("""
                        insert into sessions (id, user_id, token_hash, expires_at)
                        values (:id, :userId, :tokenHash, :expiresAt)
                        """)
                .param("id", session.id())
                .param("userId", session.userId())
                .param("tokenHash", tokenHash)
                .param("expiresAt", session.expiresAt().atOffset(ZoneOffset.UTC))
                .update();
    }

    Optional<Session> findLive(byte[] tokenHash) {
        return jdbc.sql("""
                        select id, user_id, expires_at from sessions
                         where token_hash = :tokenHash and revoked_at is null and expires_at > now()
                        """)
                .param("tokenHash", tokenHash)
                .query((rs, row) -> new Session(
                        rs.getObject("id", UUID.class),
                        rs.getObject("user_id", UUID.class),
                        rs.getTimestamp("expires_at").toInstant()))
                .optional();
    }

    void revoke(byte[] tokenHash) {
        jdbc.sql("update sessions set revoked_at = now() where token_hash = :tokenHash and revoked_at is null")
                .param("tokenHash", tokenHash)
                .update();
    }

    /** Ends every live session of the account; the hashes of their tokens. */
    java.util.List<byte[]> revokeAll(java.util.UUID userId) {
        return jdbc.sql("""
                        update sessions set revoked_at = now()
                         where user_id = :userId and revoked_at is null
                        returning token_hash
                        """)
                .param("userId", userId)
                .query((rs, row) -> rs.getBytes("token_hash"))
                .list();
    }

    /** Ends every live session of the account but one; the hashes of their tokens. */
    java.util.List<byte[]> revokeAllBut(UUID userId, @org.jspecify.annotations.Nullable UUID keep) {
        return jdbc.sql("""
                        update sessions set revoked_at = now()
                         where user_id = :userId and revoked_at is null
                           and (cast(:keep as uuid) is null or id <> :keep)
                        returning token_hash
                        """)
                .param("userId", userId)
                .param("keep", keep)
                .query((rs, row) -> rs.getBytes("token_hash"))
                .list();
    }

    int purgeExpired() {
        return jdbc.sql("delete from sessions where expires_at < now() - interval '1 day'")
                .update();
    }
}
