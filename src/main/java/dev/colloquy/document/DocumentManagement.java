package dev.colloquy.document;

import dev.colloquy.llm.DocumentChanged;
import dev.colloquy.platform.Cursors;
import dev.colloquy.platform.KeysetPosition;
import dev.colloquy.platform.Page;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.web.NotFound;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Uploading, listing, reading and deleting the caller's documents. */
@Service
public class DocumentManagement {

    /** An upload's outcome: the document, and whether the caller already had this very content. */
    public record Upload(Document document, boolean duplicate) {}

    static final int MAX_PAGE = 100;

    private final Documents documents;
    private final DocumentChunks chunks;
    private final DocumentCache cache;
    private final DocumentIngestion ingestion;
    private final ApplicationEventPublisher events;
    private final Cursors cursors;
    private final TransactionTemplate transactions;

    DocumentManagement(
            Documents documents,
            DocumentChunks chunks,
            DocumentCache cache,
            DocumentIngestion ingestion,
            ApplicationEventPublisher events,
            Cursors cursors,
            TransactionTemplate transactions) {
        this.documents = documents;
        this.chunks = chunks;
        this.cache = cache;
        this.ingestion = ingestion;
        this.events = events;
        this.cursors = cursors;
        this.transactions = transactions;
    }

    /**
     * Stores the file and queues it for ingestion. The same content again is the same document:
     * returned as it is, or ingested afresh if it had failed.
     *
     * @throws UnsupportedDocument when the bytes are of no type Colloquy reads
     */
    public Upload upload(UUID userId, @Nullable String originalName, byte[] content) {
        var filename = safeName(originalName);
        var contentType = ContentTypes.detect(content, filename);
        var sha256 = sha256(content);
        var now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        var fresh = new Document(
                Uuid7.next(),
                filename,
                contentType,
                content.length,
                Document.PROCESSING,
                null,
                null,
                0,
                null,
                0,
                now,
                now);
        var upload = transactions.execute(status -> {
            var inserted = documents.insert(userId, fresh, sha256, content);
            if (inserted.isPresent()) {
                return new Upload(inserted.get(), false);
            }
            var existing = documents.findBySha256(userId, sha256).orElseThrow();
            if (existing.status().equals(Document.FAILED)) {
                documents.retry(userId, existing.id(), filename, content);
                return new Upload(documents.find(userId, existing.id()).orElseThrow(), false);
            }
            return new Upload(existing, true);
        });
        cache.evict(userId, upload.document().id());
        if (!upload.duplicate()) {
            ingestion.wake();
        }
        return upload;
    }

    public Document get(UUID userId, UUID id) {
        return cache.get(userId, id, () -> documents.find(userId, id)).orElseThrow(() -> new DocumentNotFound(id));
    }

    /** The passage a citation points at: a chunk of one of the caller's ready documents. */
    public Passage passage(UUID userId, UUID documentId, UUID chunkId) {
        return chunks.load(userId, List.of(chunkId)).stream()
                .filter(chunk -> chunk.documentId().equals(documentId))
                .findFirst()
                .map(chunk -> new Passage(
                        chunk.documentId(),
                        chunk.id(),
                        chunk.filename(),
                        chunk.position(),
                        chunk.headingPath(),
                        chunk.page(),
                        chunk.content()))
                .orElseThrow(() -> new NotFound("passage " + chunkId + " of document " + documentId));
    }

    public Page<Document> list(UUID userId, @Nullable String cursor, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new dev.colloquy.web.InvalidParameter("'limit' must be between 1 and " + MAX_PAGE);
        }
        var scope = "documents:" + userId;
        var rows = documents.page(userId, cursors.after(scope, cursor), limit + 1);
        return cursors.page(rows, limit, scope, d -> new KeysetPosition(d.createdAt(), d.id()));
    }

    /** Deletes the document, its chunks and vectors, and the cached answers that quoted it. */
    public void delete(UUID userId, UUID id) {
        if (!documents.delete(userId, id)) {
            throw new DocumentNotFound(id);
        }
        cache.evict(userId, id);
        events.publishEvent(new DocumentChanged(id));
    }

    /** The file's own name, without any path, control characters or excess length. */
    static String safeName(@Nullable String original) {
        if (original == null) {
            return "document";
        }
        var name = original.substring(Math.max(original.lastIndexOf('/'), original.lastIndexOf('\\')) + 1);
        name = name.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", "").strip();
        while (name.startsWith(".")) {
            name = name.substring(1);
        }
        if (name.isBlank()) {
            return "document";
        }
        return name.length() > 200 ? name.substring(0, 200) : name;
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
