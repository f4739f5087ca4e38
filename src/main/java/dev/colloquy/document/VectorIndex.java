package dev.colloquy.document;

import dev.colloquy.llm.embedding.Embedding;
import java.util.List;
import java.util.UUID;

/** Nearest chunks to a query vector among one user's ready documents. */
interface VectorIndex {

    /**
     * At most {@code limit} chunks, most similar first, with their cosine similarity: among the chunks
     * embedded by the query's model only.
     */
    List<ScoredChunk> nearest(UUID userId, Embedding query, int limit);
}
