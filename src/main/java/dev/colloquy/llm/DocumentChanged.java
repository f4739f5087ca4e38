package dev.colloquy.llm;

import java.util.UUID;

/**
 * A document's passages changed or went away: the event a document source publishes so that answers
 * which quoted it are forgotten. The gateway owns it, like {@link DocumentSource}, so it hears of
 * documents without knowing the feature that keeps them.
 */
public record DocumentChanged(UUID documentId) {}
