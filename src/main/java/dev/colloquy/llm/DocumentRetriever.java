package dev.colloquy.llm;

import java.util.List;
import java.util.UUID;

/**
 * Finds passages of a user's documents for a question (the document feature provides it), so
 * {@code /v1} callers can ask for retrieval too without the gateway depending on documents.
 */
public interface DocumentRetriever {

    /** The passages to put before the model, numbered from 1, within this many tokens. */
    List<DocumentSource> sourcesFor(UUID userId, String question, int tokenBudget);
}
