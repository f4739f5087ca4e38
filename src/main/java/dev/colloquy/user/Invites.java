package dev.colloquy.user;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Single-use invitations, kept by the hash of their code. */
@Repository
class Invites {

    private final JdbcClient jdbc;

    Invites(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID id, byte[] codeHash, @Nullable String email, UUID createdBy, Instant expiresAt) {
        jdbc.sql("""
                        insert into invites (id, code_hash, email, created_by, expires_at)
                        values (:id, :codeHash, :email, :createdBy, :expiresAt)
                        """)
                .param("id", id)
                .param("codeHash", codeHash)
                .param("email", email)
                .param("createdBy", createdBy)
                .param("expiresAt", expiresAt.atOffset(ZoneOffset.UTC))
                .update();
    }

    /**
     * Uses up the invite with this code for this account: true when it was unused, unexpired and for
     * this email (or any).
     */
    boolean consume(byte[] codeHash, String email, UUID userId) {
        return jdbc.sql("""
                        update invites set used_by = :userId, used_at = now()
                         where code_hash = :codeHash and used_at is null and expires_at > now()
                           and (email is null or email = :email)
                        """)
                        .param("codeHash", codeHash)
                        .param("email", email)
                        .param("userId", userId)
                        .update()
                == 1;
    }

    /** Takes a deleted account's email out of the invites meant for it. */
    void forget(String email) {
        jdbc.sql("update invites set email = null where email = :email")
                .param("email", email)
                .update();
    }
}
