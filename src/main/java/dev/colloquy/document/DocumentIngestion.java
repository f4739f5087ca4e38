package dev.colloquy.document;

import dev.colloquy.llm.DocumentChanged;
import dev.colloquy.platform.Uuid7;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ingests documents off the request path: workers claim the oldest document needing work under a
 * lease (so a replica that dies mid-ingestion leaves the document to another once the lease lapses),
 * parse, chunk and embed it, renewing the lease as they go, and write the chunks and the
 * {@code ready} status in one transaction, fenced by the attempt number so a worker that lost its
 * lease writes nothing. A document whose text cannot be read fails with the reason; one whose
 * ingestion keeps breaking fails after {@code max-attempts}. The same workers re-embed documents
 * whose vectors come from another embedding model than the current one.
 */
@Component
class DocumentIngestion implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DocumentIngestion.class);
    private static final int EMBEDDING_BATCH = 32;

    private final Documents documents;
    private final DocumentChunks chunks;
    private final DocumentCache cache;
    private final DocumentEmbeddings embeddings;
    private final ApplicationEventPublisher events;
    private final DocumentProperties properties;
    private final TransactionTemplate transactions;
    private final DocumentParser parser;
    private final Chunker chunker;
    private final MeterRegistry registry;
    private final Timer duration;
    private final Semaphore wakeups = new Semaphore(0);
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;
    /** When to look again for documents embedded by another model (nano time); at once after start. */
    private volatile long nextStaleCheck = System.nanoTime();

    DocumentIngestion(
            Documents documents,
            DocumentChunks chunks,
            DocumentCache cache,
            DocumentEmbeddings embeddings,
            ApplicationEventPublisher events,
            DocumentProperties properties,
            TransactionTemplate transactions,
            MeterRegistry registry) {
        this.documents = documents;
        this.chunks = chunks;
        this.cache = cache;
        this.embeddings = embeddings;
        this.events = events;
        this.properties = properties;
        this.transactions = transactions;
        this.parser = new DocumentParser(properties);
        this.chunker = new Chunker(properties.chunkTokens(), properties.chunkOverlap());
        this.registry = registry;
        this.duration = Timer.builder("documents.ingestion")
                .description("Time to parse, chunk and embed one document")
                .register(registry);
    }

    /**
     * Wakes idle workers now instead of at their next poll, and again when the current transaction
     * (if any) commits the new work.
     */
    void wake() {
        wakeups.release(properties.workers());
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    wakeups.release(properties.workers());
                }
            });
        }
    }

    @Override
    public void start() {
        running = true;
        for (int i = 0; i < properties.workers(); i++) {
            workers.add(Thread.ofVirtual().name("document-ingestion-" + i).start(this::work));
        }
    }

    @Override
    public void stop() {
        running = false;
        wake();
        for (var worker : workers) {
            try {
                worker.join(properties.lease().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        workers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void work() {
        while (running) {
            boolean worked = false;
            try {
                worked = ingestOne();
            } catch (RuntimeException e) {
                log.warn("Document ingestion worker failed, carrying on: {}", e.toString());
            }
            if (!worked) {
                try {
                    wakeups.tryAcquire(properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Claims and ingests one document; false when there was none to claim. */
    boolean ingestOne() {
        var claimed = documents.claimProcessing(properties.lease());
        if (claimed.isEmpty() && System.nanoTime() - nextStaleCheck >= 0) {
            claimed = documents.claimStale(embeddings.model(), properties.lease());
            if (claimed.isEmpty()) {
                nextStaleCheck =
                        System.nanoTime() + properties.reembedCheckInterval().toNanos();
            }
        }
        if (claimed.isEmpty()) {
            return false;
        }
        var claim = claimed.get();
        if (claim.attempt() > properties.maxAttempts()) {
            fail(claim, "Ingestion did not finish in " + properties.maxAttempts() + " attempts");
            return true;
        }
        long started = System.nanoTime();
        try {
            ingest(claim);
        } catch (DocumentUnreadable e) {
            if (running) {
                fail(claim, e.getMessage());
            } // else stopped mid-parse: the lease lapses and another replica takes the document

        } catch (RuntimeException e) {
            // the lease lapses and another attempt follows, up to max-attempts
            log.atWarn()
                    .addKeyValue("document.id", claim.id())
                    .log("Ingestion attempt {} of document {} failed: {}", claim.attempt(), claim.id(), e.toString());
            if (claim.attempt() >= properties.maxAttempts()) {
                fail(claim, "Ingestion failed on the server; upload the document again later");
            }
        } finally {
            duration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    private void ingest(Documents.Claim claim) throws DocumentUnreadable {
        Integer pages = null;
        List<Chunker.Chunk> pieces;
        if (claim.status().equals(Document.PROCESSING)) {
            var source = documents.source(claim.id());
            if (source == null) {
                throw new DocumentUnreadable("The uploaded file is no longer there; upload it again");
            }
            long deadline = System.nanoTime() + properties.parseTimeout().toNanos();
            var parsed = parser.parse(claim.contentType(), source, () -> !running || System.nanoTime() - deadline > 0);
            pages = parsed.pages();
            pieces = chunker.chunk(parsed);
        } else {
            pieces = chunks.ofDocument(claim.id());
        }
        var embedded = new ArrayList<DocumentChunks.NewChunk>(pieces.size());
        for (int from = 0; from < pieces.size(); from += EMBEDDING_BATCH) {
            var batch = pieces.subList(from, Math.min(pieces.size(), from + EMBEDDING_BATCH));
            var first = pieces.getFirst();
            var vectors = embeddings.embedAll(
                    claim.userId(),
                    batch.stream().map(c -> Chunker.embeddingText(first, c)).toList());
            for (int i = 0; i < batch.size(); i++) {
                var vector = vectors.get(i).vector();
                embedded.add(new DocumentChunks.NewChunk(
                        Uuid7.next(),
                        batch.get(i),
                        vectors.get(i).model(),
                        Int8Vectors.quantize(vector),
                        Int8Vectors.scale(vector)));
            }
            if (!documents.renew(claim, properties.lease())) {
                log.info("Lost the lease of document {} to another replica; leaving it", claim.id());
                return;
            }
        }
        var finalPages = pages;
        var written = transactions.execute(status -> {
            if (!documents.lockIfHeld(claim)) {
                return false;
            }
            chunks.replace(claim.id(), claim.userId(), embedded);
            documents.markReady(claim, finalPages, embedded.size(), embeddings.model());
            return true;
        });
        if (Boolean.TRUE.equals(written)) {
            changed(claim);
            registry.counter("documents.ingested", "status", Document.READY).increment();
            log.atInfo()
                    .addKeyValue("document.id", claim.id())
                    .log("Document {} ready: {} chunks", claim.id(), embedded.size());
        }
    }

    private void fail(Documents.Claim claim, String reason) {
        documents.markFailed(claim, reason);
        changed(claim);
        registry.counter("documents.ingested", "status", Document.FAILED).increment();
        log.atInfo().addKeyValue("document.id", claim.id()).log("Document {} failed: {}", claim.id(), reason);
    }

    private void changed(Documents.Claim claim) {
        cache.evict(claim.userId(), claim.id());
        events.publishEvent(new DocumentChanged(claim.id()));
    }
}
