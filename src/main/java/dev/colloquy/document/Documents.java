package dev.colloquy.document;

import dev.colloquy.platform.KeysetPosition;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code documents} and {@code document_sources} tables. */
@Repository
class Documents {

    /**
     * A document claimed for ingestion. {@code attempt} is the fencing token: only the holder of the
     * latest attempt may write the result.
     */
    record Claim(UUID id, UUID userId, String filename, String contentType, String status, int attempt) {}

    private static final String COLUMNS = """
            id, filename, content_type, size_bytes, status, failure_reason, pages, chunk_count, embedding_model,
            version, created_at, updated_at""";

    private final JdbcClient jdbc;

    Documents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a new document with its bytes; empty when the user already has this content. */
    Optional<Document> insert(UUID userId, Document document, byte[] sha256, byte[] content) {
        var inserted = jdbc.sql("""
                        insert into documents (id, user_id, filename, content_type, size_bytes, sha256, status,
                                               created_at, updated_at)
                        values (:id, :userId, :filename, :contentType, :size, :sha256, 'processing', :at, :at)
                        on conflict (user_id, sha256) do nothing
                        """)
                .param("id", document.id())
                .param("userId", userId)
                .param("filename", document.filename())
                .param("contentType", document.contentType())
                .param("size", document.sizeBytes())
                .param("sha256", sha256)
                .param("at", document.createdAt().atOffset(ZoneOffset.UTC))
                .update();
        if (inserted == 0) {
            return Optional.empty();
        }
        jdbc.sql("insert into document_sources (document_id, content) values (:id, :content)")
                .param("id", document.id())
                .param("content", content)
                .update();
        return Optional.of(document);
    }

    Optional<Document> findBySha256(UUID userId, byte[] sha256) {
        return jdbc.sql("select " + COLUMNS + " from documents where user_id = :userId and sha256 = :sha256")
                .param("userId", userId)
                .param("sha256", sha256)
                .query(Documents::document)
                .optional();
    }

    /** A failed document uploaded again: its new bytes are ingested afresh. */
    void retry(UUID userId, UUID id, String filename, byte[] content) {
        jdbc.sql("""
                        update documents set status = 'processing', failure_reason = null, attempts = 0,
                                             lease_until = null, filename = :filename, updated_at = now()
                         where id = :id and user_id = :userId and status = 'failed'
                        """)
                .param("id", id)
                .param("userId", userId)
                .param("filename", filename)
                .update();
        jdbc.sql("""
                        insert into document_sources (document_id, content) values (:id, :content)
                        on conflict (document_id) do update set content = excluded.content
                        """).param("id", id).param("content", content).update();
    }

    Optional<Document> find(UUID userId, UUID id) {
        return jdbc.sql("select " + COLUMNS + " from documents where id = :id and user_id = :userId")
                .param("id", id)
                .param("userId", userId)
                .query(Documents::document)
                .optional();
    }

    List<Document> page(UUID userId, @Nullable KeysetPosition after, int limit) {
        var query = after == null
                ? jdbc.sql("select " + COLUMNS + """
                         from documents where user_id = :userId
                        order by created_at desc, id desc limit :limit""")
                : jdbc.sql("select " + COLUMNS + """
                         from documents where user_id = :userId and (created_at, id) < (:at, :id)
                        order by created_at desc, id desc limit :limit""")
                        .param("at", after.at().atOffset(ZoneOffset.UTC))
                        .param("id", after.id());
        return query.param("userId", userId)
                .param("limit", limit)
                .query(Documents::document)
                .list();
    }

    boolean delete(UUID userId, UUID id) {
        return jdbc.sql("delete from documents where id = :id and user_id = :userId")
                        .param("id", id)
                        .param("userId", userId)
                        .update()
                > 0;
    }

    /**
     * Takes the oldest document still processing whose lease is free or lapsed (its holder died),
     * through the partial index of processing documents.
     */
    Optional<Claim> claimProcessing(Duration lease) {
        return claim("status = 'processing'", null, lease);
    }

    /**
     * Takes the oldest ready document embedded by another model than the current one. This reads
     * every ready document, so it runs only now and then, not on every poll.
     */
    Optional<Claim> claimStale(String embeddingModel, Duration lease) {
        return claim("status = 'ready' and embedding_model is distinct from :model", embeddingModel, lease);
    }

    private Optional<Claim> claim(String which, @Nullable String embeddingModel, Duration lease) {
        var statement = jdbc.sql("""
                        update documents d
                           set lease_until = now() + make_interval(secs => :leaseSeconds), attempts = d.attempts + 1
                         where d.id = (select id from documents
                                        where %s
                                          and (lease_until is null or lease_until < now())
                                        order by created_at
                                        limit 1
                                        for update skip locked)
                        returning d.id, d.user_id, d.filename, d.content_type, d.status, d.attempts
                        """.formatted(which));
        if (embeddingModel != null) {
            statement = statement.param("model", embeddingModel);
        }
        return statement
                .param("leaseSeconds", lease.toSeconds())
                .query((rs, row) -> new Claim(
                        rs.getObject("id", UUID.class),
                        rs.getObject("user_id", UUID.class),
                        rs.getString("filename"),
                        rs.getString("content_type"),
                        rs.getString("status"),
                        rs.getInt("attempts")))
                .optional();
    }

    /** Extends the lease while the holder still holds the latest attempt; false when it lost it. */
    boolean renew(Claim claim, Duration lease) {
        return jdbc.sql("""
                        update documents set lease_until = now() + make_interval(secs => :leaseSeconds)
                         where id = :id and attempts = :attempt
                        """)
                        .param("leaseSeconds", lease.toSeconds())
                        .param("id", claim.id())
                        .param("attempt", claim.attempt())
                        .update()
                > 0;
    }

    @Nullable
    byte[] source(UUID id) {
        return jdbc.sql("select content from document_sources where document_id = :id")
                .param("id", id)
                .query((rs, row) -> rs.getBytes("content"))
                .optional()
                .orElse(null);
    }

    /** Locks the document row if the claim still holds the latest attempt; false when it does not. */
    boolean lockIfHeld(Claim claim) {
        return jdbc.sql("select 1 from documents where id = :id and attempts = :attempt for update")
                .param("id", claim.id())
                .param("attempt", claim.attempt())
                .query((rs, row) -> 1)
                .optional()
                .isPresent();
    }

    void markReady(Claim claim, @Nullable Integer pages, int chunks, String embeddingModel) {
        jdbc.sql("""
                        update documents set status = 'ready', failure_reason = null, pages = coalesce(:pages, pages),
                                             chunk_count = :chunks, embedding_model = :model, version = version + 1,
                                             lease_until = null, updated_at = now()
                         where id = :id
                        """)
                .param("id", claim.id())
                .param("pages", pages)
                .param("chunks", chunks)
                .param("model", embeddingModel)
                .update();
        jdbc.sql("delete from document_sources where document_id = :id")
                .param("id", claim.id())
                .update();
    }

    void markFailed(Claim claim, String reason) {
        jdbc.sql("""
                        update documents set status = 'failed', failure_reason = :reason, lease_until = null,
                                             updated_at = now()
                         where id = :id and attempts = :attempt
                        """)
                .param("id", claim.id())
                .param("attempt", claim.attempt())
                .param("reason", reason.length() > 500 ? reason.substring(0, 500) : reason)
                .update();
        jdbc.sql("delete from document_sources where document_id = :id")
                .param("id", claim.id())
                .update();
    }

    private static Document document(ResultSet rs, int row) throws SQLException {
        return new Document(
                rs.getObject("id", UUID.class),
                rs.getString("filename"),
                rs.getString("content_type"),
                rs.getLong("size_bytes"),
                rs.getString("status"),
                rs.getString("failure_reason"),
                rs.getObject("pages", Integer.class),
                rs.getInt("chunk_count"),
                rs.getString("embedding_model"),
                rs.getInt("version"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, java.time.OffsetDateTime.class).toInstant();
    }
}
