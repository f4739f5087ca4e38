package dev.colloquy.document;

import dev.colloquy.user.AccountArchive;
import dev.colloquy.user.AccountData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * An account's documents: exported as a list, each with its passages as Colloquy holds them (the
 * text it answers from) and, while it is still being read, its file as uploaded (files are not kept
 * once read); erased with the account, chunks and vectors included.
 */
@Component
class DocumentAccountData implements AccountData {

    private static final String DOCUMENTS = """
            select created_at as at, id,
                   json_build_object('id', id, 'filename', filename, 'contentType', content_type,
                                     'sizeBytes', size_bytes, 'status', status, 'failureReason', failure_reason,
                                     'pages', pages, 'chunkCount', chunk_count, 'metadata', metadata,
                                     'createdAt', created_at)::text as line
              from documents
             where user_id = :userId
               and (cast(:afterAt as timestamptz) is null or (created_at, id) > (cast(:afterAt as timestamptz), cast(:afterId as uuid)))
             order by created_at, id
             limit :limit
            """;

    private record Listed(UUID id, String filename, Timestamp at) {}

    private final JdbcClient jdbc;
    private final ScanVectorIndex vectors;

    DocumentAccountData(JdbcClient jdbc, ScanVectorIndex vectors) {
        this.jdbc = jdbc;
        this.vectors = vectors;
    }

    @Override
    public void export(UUID userId, AccountArchive archive) throws IOException {
        archive.jsonLines("documents.jsonl", jdbc, DOCUMENTS, userId);
        Timestamp afterAt = null;
        UUID afterId = null;
        while (true) {
            var page = page(userId, afterAt, afterId);
            for (var document : page) {
                var base = "documents/" + document.id() + "/";
                var source = jdbc.sql("select content from document_sources where document_id = :id")
                        .param("id", document.id())
                        .query((rs, row) -> rs.getBytes("content"))
                        .optional();
                if (source.isPresent()) {
                    archive.bytes(base + entryName(document.filename()), source.get());
                }
                var passages = jdbc.sql("""
                                select json_build_object('position', position, 'headingPath', heading_path,
                                                         'page', page, 'content', content)::text
                                  from document_chunks where document_id = :id order by position
                                """)
                        .param("id", document.id())
                        .query(String.class)
                        .list();
                archive.bytes(
                        base + "passages.jsonl",
                        (String.join("\n", passages) + (passages.isEmpty() ? "" : "\n"))
                                .getBytes(StandardCharsets.UTF_8));
            }
            if (page.size() < 100) {
                return;
            }
            afterAt = page.getLast().at();
            afterId = page.getLast().id();
        }
    }

    private java.util.List<Listed> page(UUID userId, @Nullable Timestamp afterAt, @Nullable UUID afterId) {
        return jdbc.sql("""
                        select id, filename, created_at from documents
                         where user_id = :userId
                           and (cast(:afterAt as timestamptz) is null
                                or (created_at, id) > (cast(:afterAt as timestamptz), cast(:afterId as uuid)))
                         order by created_at, id
                         limit 100
                        """)
                .param("userId", userId)
                .param("afterAt", afterAt)
                .param("afterId", afterId)
                .query((rs, row) -> new Listed(
                        rs.getObject("id", UUID.class), rs.getString("filename"), rs.getTimestamp("created_at")))
                .list();
    }

    /** The stored name (already without a path) kept to what every unzip tool accepts. */
    private static String entryName(String filename) {
        var name = filename.replace("..", "_").replace('/', '_').replace('\\', '_');
        return name.isBlank() ? "document" : name;
    }

    @Override
    public void erase(UUID userId) {
        jdbc.sql("delete from document_chunks where user_id = :userId")
                .param("userId", userId)
                .update();
        jdbc.sql("delete from documents where user_id = :userId")
                .param("userId", userId)
                .update();
        vectors.forget(userId);
    }
}
