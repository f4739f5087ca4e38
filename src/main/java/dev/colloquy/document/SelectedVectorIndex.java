package dev.colloquy.document;

import dev.colloquy.llm.embedding.Embedding;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The vector index documents are searched with, chosen at start by
 * {@code colloquy.documents.vector-index} ({@code COLLOQUY_DOCUMENTS_VECTOR_INDEX}): {@code pgvector}
 * ({@link PgVectorIndex}: vectors in PostgreSQL, nothing per replica; the start fails when pgvector
 * cannot be had), {@code memory} ({@link ScanVectorIndex}: each replica loads each searching user's
 * vectors and scans them), or {@code auto}, the default: pgvector when the server has it, else memory,
 * saying which at start.
 *
 * <p>With pgvector, the chunks stored before it was set up get their rows in the background (500 a
 * second, one replica at a time); until that first pass is through, searches stay in memory, so no
 * document goes missing from results. Then the HNSW indexes are built, concurrently. The chunks are
 * gone through again every {@code reembed-check-interval}, for those an older replica wrote during a
 * rolling update.
 */
@Primary
@Component
class SelectedVectorIndex implements VectorIndex {

    private static final Logger log = LoggerFactory.getLogger(SelectedVectorIndex.class);

    private final ScanVectorIndex memory;
    private final @Nullable PgVectorIndex pgvector;
    private volatile boolean backfilled;
    private volatile @Nullable UUID backfillAfter;
    private volatile long passEnded;
    private long passCopied;
    private final Duration lookAgain;

    SelectedVectorIndex(
            DocumentProperties properties,
            ScanVectorIndex memory,
            JdbcClient jdbc,
            JdbcTemplate template,
            TransactionTemplate transactions,
            MeterRegistry registry) {
        this.memory = memory;
        this.lookAgain = properties.reembedCheckInterval();
        PgVectorIndex opened = null;
        var kind = properties.vectorIndex();
        if (kind != DocumentProperties.VectorIndexKind.MEMORY) {
            try {
                opened = PgVectorIndex.open(jdbc, template, transactions, properties.indexBuildMemory());
                log.info(
                        "Documents are searched with pgvector {} (COLLOQUY_DOCUMENTS_VECTOR_INDEX={})",
                        opened.version(),
                        kind.name().toLowerCase(Locale.ROOT));
            } catch (PgVectorIndex.Unavailable e) {
                if (kind == DocumentProperties.VectorIndexKind.PGVECTOR) {
                    throw new IllegalStateException(
                            "COLLOQUY_DOCUMENTS_VECTOR_INDEX=pgvector, but " + e.getMessage(), e);
                }
                log.info(
                        "Documents are searched in memory, each replica scanning the vectors of the users who search"
                                + " (COLLOQUY_DOCUMENTS_VECTOR_INDEX=auto and {})",
                        e.getMessage());
            }
        } else {
            log.info("Documents are searched in memory (COLLOQUY_DOCUMENTS_VECTOR_INDEX=memory)");
        }
        this.pgvector = opened;
        Gauge.builder("documents.vector.index", () -> pgvector != null && backfilled ? 1 : 0)
                .description("1 while documents are searched with pgvector, 0 while in each replica's memory")
                .register(registry);
    }

    @Override
    public List<ScoredChunk> nearest(UUID userId, Embedding query, int limit) {
        return usingPgvector() ? pgvector.nearest(userId, query, limit) : memory.nearest(userId, query, limit);
    }

    /** Whether searches go to pgvector now (it is set up and the first copy of older vectors is through). */
    boolean usingPgvector() {
        return pgvector != null && backfilled;
    }

    /** The vectors of chunks just stored, written in the caller's transaction when pgvector is set up. */
    void added(UUID userId, List<DocumentChunks.NewChunk> chunks) {
        if (pgvector != null && !chunks.isEmpty()) {
            pgvector.added(userId, chunks);
        }
    }

    /** Copies older chunks' vectors a batch at a time; once through, builds the indexes. */
    @Scheduled(fixedDelayString = "PT1S", initialDelayString = "PT2S")
    synchronized void upkeep() {
        var index = pgvector;
        if (index == null) {
            return;
        }
        if (backfilled && backfillAfter == null) {
            // through: go again every interval, for chunks a replica without pgvector wrote meanwhile
            if (System.nanoTime() - passEnded < lookAgain.toNanos()) {
                return;
            }
            backfillAfter = BEGINNING;
        }
        try {
            var step = index.backfill(backfillAfter);
            passCopied += step.copied();
            if (step.more()) {
                backfillAfter = step.next();
                return;
            }
            if (index.buildIndexes() || passCopied > 0) {
                index.analyze();
            }
            passCopied = 0;
            backfillAfter = null;
            passEnded = System.nanoTime();
            if (!backfilled) {
                log.info("pgvector holds every chunk's vector: documents are searched with it from now on");
            }
            backfilled = true;
        } catch (RuntimeException e) {
            log.warn("Setting up pgvector paused, searching as before: {}", e.getMessage());
        }
    }

    /** Runs the upkeep to its end now (within a minute); for tests and operators who do not want to wait. */
    void catchUp() {
        if (pgvector == null) {
            return;
        }
        backfillAfter = backfilled ? BEGINNING : backfillAfter;
        long deadline = System.nanoTime() + 60_000_000_000L;
        do {
            upkeep();
        } while ((!backfilled || backfillAfter != null) && System.nanoTime() < deadline);
    }

    /** The smallest id as PostgreSQL orders them: a pass from the beginning of the table. */
    private static final UUID BEGINNING = new UUID(0L, 0L);
}
