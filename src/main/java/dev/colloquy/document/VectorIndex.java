package dev.colloquy.document;

import java.util.List;
import java.util.UUID;

/** Nearest chunks to a query vector among one user's ready documents. */
interface VectorIndex {

    /** At most {@code limit} chunks, most similar first, with their cosine similarity. */
    List<ScoredChunk> nearest(UUID userId, float[] query, int limit);
}
