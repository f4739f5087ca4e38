package dev.colloquy.document;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Documents and retrieval.
 *
 * @param maxBytes largest upload accepted (also {@code spring.servlet.multipart.max-file-size})
 * @param maxPages most pages of a PDF read; longer ones fail with a reason
 * @param maxTextChars most characters of text taken from one document; a file that expands to more
 *     (a compression bomb, say) fails with a reason
 * @param parseTimeout longest time reading one file may take; longer ones fail with a reason
 * @param chunkTokens the size chunks are cut to, in tokens
 * @param chunkOverlap tokens of the previous chunk repeated at the start of the next, within a section
 * @param workers documents ingested at once per replica
 * @param lease how long a replica holds a document it ingests before another may take it over
 * @param maxAttempts ingestions tried before a document fails for good
 * @param pollInterval how often idle workers look for documents (an upload wakes them at once)
 * @param reembedCheckInterval how often workers look for documents embedded by another model than
 *     the current one (after a model change; the look reads every ready document)
 * @param minSimilarity cosine similarity a passage needs to be put before the model in a chat
 * @param contextTokens tokens of passages put before the model at most (and a quarter of its window)
 * @param maxSources passages put before the model at most
 * @param vectorCache memory of the in-process vector index across users, per replica
 * @param embeddingModel a model of {@code colloquy.llm.models} (provider openai) whose upstream
 *     embeds documents and questions; unset: the in-process all-MiniLM-L6-v2
 * @param vectorIndex where vectors are searched: {@code pgvector} (in PostgreSQL; the start fails
 *     without it), {@code memory} (each replica scans the searching user's vectors), or {@code auto}:
 *     pgvector when the server has it, else memory
 * @param indexBuildMemory PostgreSQL's {@code maintenance_work_mem} for building a pgvector HNSW index
 *     (the session that builds it only): a graph that does not fit is built far more slowly, on
 *     disk; about 2 KB per 384-dimension chunk fits it (BENCHMARKS.md)
 */
@ConfigurationProperties("colloquy.documents")
public record DocumentProperties(
        @DefaultValue("20MB") DataSize maxBytes,
        @DefaultValue("2000") int maxPages,
        @DefaultValue("5000000") int maxTextChars,
        @DefaultValue("60s") Duration parseTimeout,
        @DefaultValue("200") int chunkTokens,
        @DefaultValue("40") int chunkOverlap,
        @DefaultValue("2") int workers,
        @DefaultValue("2m") Duration lease,
        @DefaultValue("3") int maxAttempts,
        @DefaultValue("5s") Duration pollInterval,
        @DefaultValue("10m") Duration reembedCheckInterval,
        @DefaultValue("0.3") double minSimilarity,
        @DefaultValue("1200") int contextTokens,
        @DefaultValue("5") int maxSources,
        @DefaultValue("512MB") DataSize vectorCache,
        @Nullable String embeddingModel,
        @DefaultValue("auto") VectorIndexKind vectorIndex,
        @DefaultValue("512MB") DataSize indexBuildMemory) {

    /** Which vector index {@code colloquy.documents.vector-index} asks for. */
    public enum VectorIndexKind {
        AUTO,
        PGVECTOR,
        MEMORY
    }

    public DocumentProperties {
        if (chunkTokens < 32 || chunkOverlap < 0 || chunkOverlap >= chunkTokens / 2) {
            throw new IllegalArgumentException(
                    "colloquy.documents: chunk-tokens >= 32 and chunk-overlap below half of it");
        }
        if (indexBuildMemory.toMegabytes() < 1) {
            throw new IllegalArgumentException("colloquy.documents.index-build-memory must be at least 1MB");
        }
        if (workers < 1 || maxAttempts < 1 || maxPages < 1 || maxTextChars < 1 || maxSources < 1) {
            throw new IllegalArgumentException(
                    "colloquy.documents: workers, max-attempts, max-pages, max-text-chars, max-sources >= 1");
        }
    }
}
