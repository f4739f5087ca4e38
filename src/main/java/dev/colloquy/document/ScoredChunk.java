package dev.colloquy.document;

import java.util.UUID;

/** A chunk and how close it is to a query: cosine similarity for vectors, rank for full text. */
record ScoredChunk(UUID chunkId, double score) {}
