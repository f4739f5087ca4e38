package dev.colloquy.user;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code api_keys} table. */
@Repository
class ApiKeys {

    private final JdbcClient jdbc;

    ApiKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID userId, ApiKey key, byte[] keyHash) {
        jdbc.sql("""
                        insert into api_keys (id, user_id, name, prefix, key_hash, scope, created_at,
                                              requests_per_minute, tokens_per_minute, expires_at, allowed_models)
                        values (:id, :userId, :name, :prefix, :keyHash, :scope, :createdAt,
                                :requestsPerMinute, :tokensPerMinute, :expiresAt, :models)
                        """)
                .param("id", key.id())
                .param("userId", userId)
                .param("name", key.name())
                .param("prefix", key.prefix())
                .param("keyHash", keyHash)
                .param("scope", key.scope().wireName())
                .param("createdAt", key.createdAt().atOffset(ZoneOffset.UTC))
                .param("requestsPerMinute", key.requestsPerMinute())
                .param("tokensPerMinute", key.tokensPerMinute())
                .param(
                        "expiresAt",
                        key.expiresAt() == null ? null : key.expiresAt().atOffset(ZoneOffset.UTC))
                .param("models", key.models() == null ? null : key.models().toArray(String[]::new))
                .update();
    }

    List<ApiKey> list(UUID userId) {
        return jdbc.sql("""
                        select id, name, prefix, scope, created_at, requests_per_minute, tokens_per_minute,
                               expires_at, allowed_models, last_used_at
                          from api_keys
                         where user_id = :userId and revoked_at is null
                         order by created_at desc
                        """)
                .param("userId", userId)
                .query((rs, row) -> new ApiKey(
                        rs.getObject("id", UUID.class),
                        rs.getString("name"),
                        rs.getString("prefix"),
                        AccessScope.fromWire(rs.getString("scope")),
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getObject("requests_per_minute", Integer.class),
                        rs.getObject("tokens_per_minute", Integer.class),
                        instant(rs.getTimestamp("expires_at")),
                        Users.strings(rs.getArray("allowed_models")),
                        instant(rs.getTimestamp("last_used_at"))))
                .list();
    }

    /** Revokes the caller's key; returns its hash, or empty when the caller has no such live key. */
    Optional<byte[]> revoke(UUID userId, UUID keyId) {
        return jdbc.sql("""
                        update api_keys set revoked_at = now()
                         where id = :id and user_id = :userId and revoked_at is null
                        returning key_hash
                        """)
                .param("id", keyId)
                .param("userId", userId)
                .query((rs, row) -> rs.getBytes("key_hash"))
                .optional();
    }

    /** The caller a live key belongs to, with the owner's current role. */
    Optional<CurrentUser> resolve(byte[] keyHash) {
        return jdbc.sql("""
                        select k.id, k.user_id, k.scope, u.role, k.requests_per_minute, k.tokens_per_minute, k.expires_at,
                               k.allowed_models
                          from api_keys k join users u on u.id = k.user_id
                         where k.key_hash = :keyHash and k.revoked_at is null and u.status = 'ACTIVE'
                           and (k.expires_at is null or k.expires_at > now())
                        """)
                .param("keyHash", keyHash)
                .query((rs, row) -> new CurrentUser(
                        rs.getObject("user_id", UUID.class),
                        Role.valueOf(rs.getString("role")),
                        AccessScope.fromWire(rs.getString("scope")),
                        null,
                        new ApiKeyLimits(
                                rs.getObject("id", UUID.class),
                                rs.getObject("requests_per_minute", Integer.class),
                                rs.getObject("tokens_per_minute", Integer.class),
                                instant(rs.getTimestamp("expires_at")),
                                Users.strings(rs.getArray("allowed_models"))),
                        AccountStatus.ACTIVE))
                .optional();
    }

    private static java.time.@org.jspecify.annotations.Nullable Instant instant(
            java.sql.@org.jspecify.annotations.Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** The hashes of the account's live keys. */
    List<byte[]> hashesOf(UUID userId) {
        return jdbc.sql("select key_hash from api_keys where user_id = :userId and revoked_at is null")
                .param("userId", userId)
                .query((rs, row) -> rs.getBytes("key_hash"))
                .list();
    }

    /** Records when keys were last used: each at most once, and never moved back. */
    void touch(java.util.Map<UUID, java.time.Instant> lastUses) {
        if (lastUses.isEmpty()) {
            return;
        }
        var ids = lastUses.keySet().toArray(UUID[]::new);
        var millis = java.util.Arrays.stream(ids)
                .map(id -> lastUses.get(id).toEpochMilli())
                .toArray(Long[]::new);
        jdbc.sql("""
                        update api_keys k set last_used_at = to_timestamp(u.millis / 1000.0)
                          from unnest(cast(:ids as uuid[]), cast(:millis as bigint[])) as u(id, millis)
                         where k.id = u.id and (k.last_used_at is null or k.last_used_at < to_timestamp(u.millis / 1000.0))
                        """).param("ids", ids).param("millis", millis).update();
    }
}
